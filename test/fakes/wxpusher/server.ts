import { FakeServer, type FakeReply, type RecordedRequest } from '../../support/fake-server';

/**
 * A strict local WxPusher (docs 2026): envelope `{code,msg,data,success}`, AT_ appTokens,
 * content ≤ 40,000 / summary ≤ 100 / url ≤ 1,000 characters, ≤ 2,000 uids and ≤ 5 topicIds per
 * call, one of uids/topicIds, ≤ 10 SPTs, 20 send calls per 10 s per appToken (then an error),
 * one scan poll per code per 10 s, malformed JSON → 1005. Time comes from the injected clock so a
 * shared VirtualClock makes windows instant.
 */
export interface FakeWxPusherOptions {
  clock?: { now(): number };
  /** Accepted appTokens (default: `AT_fake_app_token_1234`). */
  appTokens?: string[];
  /** uids that get a per-target failure (code 1001) while the call succeeds. */
  unreachableUids?: string[];
  /** SPTs that get a per-target failure. */
  unknownSpts?: string[];
  /** Send calls per window per appToken (default 20 per 10 s). */
  rateLimit?: { limit: number; windowMs: number };
  /** Followers returned by the user list (default: 3 made-up users). */
  users?: FakeWxPusherUser[];
}

export interface FakeWxPusherUser {
  id: number;
  uid: string;
  nickName: string;
  reject: boolean;
  type: 0 | 1;
  createTime: number;
}

export interface Envelope {
  code: number;
  msg: string;
  data: unknown;
  success: boolean;
}

/** One accepted send call as the fake stored it. */
export interface FakeWxPusherSend {
  kind: 'standard' | 'simple';
  body: Record<string, unknown>;
  messageContentId: number;
}

export const DEFAULT_APP_TOKEN = 'AT_fake_app_token_1234';
const LIMITS = { content: 40_000, summary: 100, url: 1_000, uids: 2_000, topicIds: 5, spts: 10 };
const chars = (s: string): number => Array.from(s).length;

export function envelope(code: number, msg: string, data: unknown = null): Envelope {
  return { code, msg, data, success: code === 1000 };
}

export class FakeWxPusher {
  /** Accepted send calls (standard and simple push). */
  readonly sends: FakeWxPusherSend[] = [];
  /** Scripted envelopes answered (in order) before the normal handling, e.g. `envelope(1006, '…')`. */
  readonly scripted: Array<{ path?: string; reply: Envelope; status?: number }> = [];
  readonly users: FakeWxPusherUser[];
  readonly qrcodes = new Map<string, { extra: string; scannedBy?: string; lastPoll?: number }>();
  private readonly clock: { now(): number };
  private readonly appTokens: Set<string>;
  private readonly unreachable: Set<string>;
  private readonly unknownSpts: Set<string>;
  private readonly rate: { limit: number; windowMs: number };
  private readonly callTimes = new Map<string, number[]>();
  private nextId = 1000;

  private constructor(
    readonly server: FakeServer,
    options: FakeWxPusherOptions,
  ) {
    this.clock = options.clock ?? { now: () => Date.now() };
    this.appTokens = new Set(options.appTokens ?? [DEFAULT_APP_TOKEN]);
    this.unreachable = new Set(options.unreachableUids ?? []);
    this.unknownSpts = new Set(options.unknownSpts ?? []);
    this.rate = options.rateLimit ?? { limit: 20, windowMs: 10_000 };
    this.users = options.users ?? [
      { id: 101, uid: 'UID_alice', nickName: '', reject: false, type: 0, createTime: 1_700_000_000_000 },
      { id: 102, uid: 'UID_bob', nickName: '', reject: false, type: 0, createTime: 1_700_000_100_000 },
      { id: 103, uid: 'UID_carol', nickName: '', reject: true, type: 1, createTime: 1_700_000_200_000 },
    ];
  }

  static async start(options: FakeWxPusherOptions = {}): Promise<FakeWxPusher> {
    let fake: FakeWxPusher | undefined;
    const server = await FakeServer.start((req) => fake!.handle(req));
    fake = new FakeWxPusher(server, options);
    return fake;
  }

  get url(): string {
    return this.server.url;
  }

  get requests(): RecordedRequest[] {
    return this.server.requests;
  }

  /** Requests to one endpoint (path without query). */
  calls(path: string): RecordedRequest[] {
    return this.server.requests.filter((r) => r.path === path);
  }

  /** Answer the next matching request with this envelope instead of handling it. */
  script(reply: Envelope, path?: string, status?: number): void {
    this.scripted.push({ reply, path, status });
  }

  /** Simulates a user scanning a parameter QR code. */
  scan(code: string, uid: string): void {
    const qr = this.qrcodes.get(code);
    if (!qr) throw new Error(`unknown QR code ${code}`);
    qr.scannedBy = uid;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private handle(req: RecordedRequest): FakeReply {
    const scriptedIndex = this.scripted.findIndex((s) => !s.path || s.path === req.path);
    if (scriptedIndex >= 0) {
      const [s] = this.scripted.splice(scriptedIndex, 1);
      return { status: s.status ?? 200, body: s.reply };
    }
    const route = `${req.method} ${req.path}`;
    if (req.method === 'POST') {
      if (typeof req.json !== 'object' || req.json === null || Array.isArray(req.json)) {
        return reply(envelope(1005, `接口 [${req.path}] 出现异常：Unrecognized token '${req.text.slice(0, 20)}': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')`));
      }
    }
    switch (route) {
      case 'POST /api/send/message':
        return reply(this.sendStandard(req.json as Record<string, unknown>));
      case 'POST /api/send/message/simple-push':
        return reply(this.sendSimple(req.json as Record<string, unknown>));
      case 'GET /api/send/query/status':
        return reply(this.queryStatus(req.query));
      case 'POST /api/fun/create/qrcode':
        return reply(this.createQr(req.json as Record<string, unknown>));
      case 'GET /api/fun/scan-qrcode-uid':
        return reply(this.scanUid(req.query));
      case 'GET /api/fun/wxuser/v2':
        return reply(this.listUsers(req.query));
      case 'DELETE /api/fun/remove':
        return reply(this.remove(req.query));
      case 'PUT /api/fun/reject':
        return reply(this.reject(req.query));
      default:
        return { status: 404, body: envelope(1004, `接口 [${req.path}] 不存在`) };
    }
  }

  private tokenError(token: unknown): Envelope | undefined {
    if (typeof token !== 'string' || token === '') return envelope(1001, 'appToken不能为空');
    if (!token.startsWith('AT_') || !this.appTokens.has(token)) return envelope(1002, 'appToken不正确');
    return undefined;
  }

  private contentError(body: Record<string, unknown>): Envelope | undefined {
    const { content, summary, url, contentType } = body;
    if (typeof content !== 'string' || content === '') return envelope(1001, '内容不能为空');
    if (chars(content) > LIMITS.content) return envelope(1001, `内容长度不能超过${LIMITS.content}`);
    if (summary !== undefined && (typeof summary !== 'string' || chars(summary) > LIMITS.summary)) return envelope(1001, `摘要长度不能超过${LIMITS.summary}`);
    if (url !== undefined && (typeof url !== 'string' || chars(url) > LIMITS.url)) return envelope(1001, `url长度不能超过${LIMITS.url}`);
    if (contentType !== undefined && ![1, 2, 3].includes(contentType as number)) return envelope(1001, 'contentType不正确');
    for (const wrong of ['verifyPayload', 'simplePushToken', 'simplePushTokenList']) {
      if (wrong in body) return envelope(1001, `未知字段 ${wrong}`);
    }
    return undefined;
  }

  /** 20 calls per 10 s per key; beyond that WxPusher blocks the caller. */
  private throttled(key: string): Envelope | undefined {
    const now = this.clock.now();
    const times = (this.callTimes.get(key) ?? []).filter((t) => t > now - this.rate.windowMs);
    if (times.length >= this.rate.limit) {
      this.callTimes.set(key, times);
      return envelope(1001, '请求过于频繁，请稍后再试');
    }
    times.push(now);
    this.callTimes.set(key, times);
    return undefined;
  }

  private sendStandard(body: Record<string, unknown>): Envelope {
    const bad = this.tokenError(body.appToken) ?? this.contentError(body);
    if (bad) return bad;
    const uids = body.uids ?? [];
    const topicIds = body.topicIds ?? [];
    if (!Array.isArray(uids) || !uids.every((u) => typeof u === 'string')) return envelope(1001, 'uids格式不正确');
    if (!Array.isArray(topicIds) || !topicIds.every((t) => Number.isInteger(t))) return envelope(1001, 'topicIds格式不正确');
    if (uids.length === 0 && topicIds.length === 0) return envelope(1001, 'uids和topicIds不能同时为空');
    if (uids.length > LIMITS.uids) return envelope(1001, `uids数量不能超过${LIMITS.uids}`);
    if (topicIds.length > LIMITS.topicIds) return envelope(1001, `topicIds数量不能超过${LIMITS.topicIds}`);
    if (body.verifyPayType !== undefined && ![0, 1, 2].includes(body.verifyPayType as number)) return envelope(1001, 'verifyPayType不正确');
    const limited = this.throttled(`app:${String(body.appToken)}`);
    if (limited) return limited;
    const messageContentId = this.nextId++;
    this.sends.push({ kind: 'standard', body, messageContentId });
    const data = [
      ...(uids as string[]).map((uid) => this.record(messageContentId, { uid, topicId: null }, this.unreachable.has(uid))),
      ...(topicIds as number[]).map((topicId) => this.record(messageContentId, { uid: null, topicId }, false)),
    ];
    return envelope(1000, '处理成功', data);
  }

  private sendSimple(body: Record<string, unknown>): Envelope {
    const bad = this.contentError(body);
    if (bad) return bad;
    if ('appToken' in body) return envelope(1001, 'simple-push 不需要appToken');
    const list = body.sptList !== undefined ? body.sptList : body.spt !== undefined ? [body.spt] : [];
    if (body.spt !== undefined && body.sptList !== undefined) return envelope(1001, 'spt和sptList只能填一个');
    if (!Array.isArray(list) || list.length === 0 || !list.every((s) => typeof s === 'string' && s.startsWith('SPT_'))) return envelope(1001, 'spt不正确');
    if (list.length > LIMITS.spts) return envelope(1001, `sptList数量不能超过${LIMITS.spts}`);
    const limited = this.throttled('simple-push');
    if (limited) return limited;
    const messageContentId = this.nextId++;
    this.sends.push({ kind: 'simple', body, messageContentId });
    return envelope(1000, '处理成功', (list as string[]).map((spt) => this.record(messageContentId, { uid: null, topicId: null }, this.unknownSpts.has(spt))));
  }

  private record(messageContentId: number, target: { uid: string | null; topicId: number | null }, failed: boolean): Record<string, unknown> {
    return {
      ...target,
      messageId: messageContentId,
      messageContentId,
      sendRecordId: this.nextId++,
      code: failed ? 1001 : 1000,
      status: failed ? '用户不存在或者已经取消关注' : '创建发送任务成功',
    };
  }

  private queryStatus(query: URLSearchParams): Envelope {
    const id = query.get('sendRecordId');
    if (!id || !/^\d+$/.test(id)) return envelope(1001, 'sendRecordId不能为空');
    return envelope(1000, '处理成功', { sendRecordId: Number(id), status: 2, statusText: '已送达' });
  }

  private createQr(body: Record<string, unknown>): Envelope {
    const bad = this.tokenError(body.appToken);
    if (bad) return bad;
    const extra = body.extra;
    if (typeof extra !== 'string' || extra === '' || chars(extra) > 64) return envelope(1001, 'extra长度必须在1-64之间');
    const validTime = body.validTime ?? 1800;
    if (!Number.isInteger(validTime) || (validTime as number) < 1 || (validTime as number) > 2_592_000) return envelope(1001, 'validTime不正确');
    const code = `C_${this.nextId++}`;
    this.qrcodes.set(code, { extra });
    return envelope(1000, '处理成功', {
      expires: this.clock.now() + (validTime as number) * 1000,
      code,
      shortUrl: `https://wxpusher.example/s/${code}`,
      url: `https://wxpusher.example/qrcode/${code}`,
      extra,
    });
  }

  private scanUid(query: URLSearchParams): Envelope {
    const bad = this.tokenError(query.get('appToken'));
    if (bad) return bad;
    const qr = this.qrcodes.get(query.get('code') ?? '');
    if (!qr) return envelope(1001, '二维码不存在');
    const now = this.clock.now();
    if (qr.lastPoll !== undefined && now - qr.lastPoll < 10_000) return envelope(1001, '查询过于频繁，请10秒后再试');
    qr.lastPoll = now;
    return envelope(1000, '处理成功', qr.scannedBy ?? null);
  }

  private listUsers(query: URLSearchParams): Envelope {
    const bad = this.tokenError(query.get('appToken'));
    if (bad) return bad;
    const page = Number(query.get('page') ?? 1);
    const pageSize = Number(query.get('pageSize') ?? 100);
    if (!Number.isInteger(page) || page < 1) return envelope(1001, 'page不正确');
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) return envelope(1001, 'pageSize不能超过100');
    let users = this.users;
    const uid = query.get('uid');
    if (uid) users = users.filter((u) => u.uid === uid);
    const isBlock = query.get('isBlock');
    if (isBlock !== null) users = users.filter((u) => u.reject === (isBlock === 'true'));
    const type = query.get('type');
    if (type !== null) users = users.filter((u) => String(u.type) === type);
    const records = users.slice((page - 1) * pageSize, page * pageSize).map((u) => ({
      ...u,
      appOrTopicId: 1,
      headImg: '',
      target: u.uid,
      payEndTime: 0,
    }));
    return envelope(1000, '处理成功', { total: users.length, page, pageSize, records });
  }

  private remove(query: URLSearchParams): Envelope {
    const bad = this.tokenError(query.get('appToken'));
    if (bad) return bad;
    const index = this.users.findIndex((u) => String(u.id) === query.get('id'));
    if (index < 0) return envelope(1001, '用户不存在');
    this.users.splice(index, 1);
    return envelope(1000, '处理成功', '删除成功');
  }

  private reject(query: URLSearchParams): Envelope {
    const bad = this.tokenError(query.get('appToken'));
    if (bad) return bad;
    const user = this.users.find((u) => String(u.id) === query.get('id'));
    if (!user) return envelope(1001, '用户不存在');
    const reject = query.get('reject');
    if (reject !== 'true' && reject !== 'false') return envelope(1001, 'reject不正确');
    user.reject = reject === 'true';
    return envelope(1000, '处理成功', user.reject ? '拉黑成功' : '取消拉黑成功');
  }
}

function reply(body: Envelope): FakeReply {
  return { status: 200, body };
}
