import { randomBytes } from 'node:crypto';
import { FakeServer, type FakeReply, type RecordedRequest } from '../../support/fake-server';

/**
 * A strict fake JuHe WeCom hook (docs/upstream-apis §5 and the seed API notes). Both transports:
 * direct (`POST <url><path>` with the data as body) and the vendor gateway
 * (`POST <url>/open/GuidRequest` with `{app_key, app_secret, path, data}`; HTTP 401 bad key/secret,
 * 404 unknown path, 422 malformed body). Rules: `guid` must exist; `conversation_id` must be
 * `S:<digits>`/`R:<digits>` else -2003; configured targets answer -4017; sessions page by
 * `begin_seq`; a send answers `msg_data.appinfo` base64-encoded and, with a notify URL set, echoes
 * the message as a 11010 or 11013 callback carrying the plain appinfo.
 *
 * Assumptions where the sources are silent: an unknown guid answers `error_code -1 "client not
 * found"`, sending from a client that is not online answers `error_code -1 "client not login"`.
 */
export interface JuheClientState {
  status: 0 | 1 | 2;
  sessions: string[];
  notifyUrl?: string;
}

export interface JuheFakeOptions {
  clients?: Record<string, { status?: 0 | 1 | 2; sessions?: string[] }>;
  appKey?: string;
  appSecret?: string;
  /** Conversations whose owner forbids external contacts: -4017. */
  forbidden?: string[];
  /** Real delay per send (ms), so concurrency shows in `maxInFlight`. */
  sendDelayMs?: number;
  /** Which callback echoes a send (default 11013). */
  echo?: 'none' | 11010 | 11013;
}

export interface JuheSent {
  guid: string;
  conversationId: string;
  content: string;
  id: string;
  /** Plain appinfo (as in callbacks). */
  appinfo: string;
}

const ok = (data: unknown): FakeReply => ({ body: { error_code: 0, error_message: 'ok', data } });
const err = (code: number, message: string): FakeReply => ({ body: { error_code: code, error_message: message, data: {} } });

export class JuheFake {
  readonly appKey: string;
  readonly appSecret: string;
  readonly clients = new Map<string, JuheClientState>();
  readonly forbidden: Set<string>;
  readonly sent: JuheSent[] = [];
  /** Raw callback bodies posted to notify URLs. */
  readonly posted: string[] = [];
  sendDelayMs: number;
  echo: 'none' | 11010 | 11013;
  inFlight = 0;
  maxInFlight = 0;
  private nextId = 1_000_127;
  private nextSeq = 14_303_419;
  private readonly pendingPosts = new Set<Promise<void>>();
  private throttled = { count: 0, retryAfterSeconds: 0 };

  private constructor(
    readonly server: FakeServer,
    options: JuheFakeOptions,
  ) {
    this.appKey = options.appKey ?? 'ak_3f9c1e7b';
    this.appSecret = options.appSecret ?? 'as_9d2e4c6a8b0f1357';
    this.forbidden = new Set(options.forbidden ?? ['S:1688850000004017']);
    this.sendDelayMs = options.sendDelayMs ?? 0;
    this.echo = options.echo ?? 11013;
    const clients = options.clients ?? {
      '5b1eb388-a4df-3da5-a49a-507eea46632c': { status: 2, sessions: ['S:1688852792312821', 'S:1688857160788209', 'R:1970325468984112'] },
    };
    for (const [guid, c] of Object.entries(clients)) this.clients.set(guid, { status: c.status ?? 2, sessions: c.sessions ?? [] });
  }

  static async start(options: JuheFakeOptions = {}): Promise<JuheFake> {
    let fake: JuheFake | undefined;
    const server = await FakeServer.start((req) => fake!.handle(req));
    fake = new JuheFake(server, options);
    return fake;
  }

  get url(): string {
    return this.server.url;
  }

  get requests(): RecordedRequest[] {
    return this.server.requests;
  }

  /** Waits until every callback the fake started posting has been delivered. */
  async settle(): Promise<void> {
    while (this.pendingPosts.size > 0) await Promise.all([...this.pendingPosts]);
  }

  async close(): Promise<void> {
    await this.settle();
    await this.server.close();
  }

  /** Posts an inbound message callback (send_flag 0) for `guid`; returns the raw body. */
  async emitInbound(
    guid: string,
    message: { sender: string; content: string; roomid?: string; notifyType?: 11010 | 11013; contentAsJson?: boolean },
  ): Promise<string> {
    const entry = this.messageEntry({
      sender: message.sender,
      receiver: '1688856214724417',
      roomid: message.roomid ?? '0',
      content: message.contentAsJson ? JSON.stringify({ msg: message.content }) : message.content,
      appinfo: randomBytes(24).toString('base64'),
      sendFlag: 0,
    });
    return this.postCallback(guid, message.notifyType ?? 11010, entry);
  }

  /** The gateway answers the next `count` requests with HTTP 429 and `Retry-After`. */
  throttle(count: number, retryAfterSeconds: number): void {
    this.throttled = { count, retryAfterSeconds };
  }

  private handle(req: RecordedRequest): FakeReply | Promise<FakeReply> {
    if (this.throttled.count > 0) {
      this.throttled.count--;
      return { status: 429, headers: { 'retry-after': String(this.throttled.retryAfterSeconds) }, body: { detail: 'Too Many Requests' } };
    }
    if (req.method !== 'POST' && !(req.method === 'GET' && req.path === '/client/all_clients')) return { status: 405, body: 'Method Not Allowed' };
    if (req.path === '/open/GuidRequest') return this.gateway(req);
    return this.route(req.path, req.json) ?? { status: 404, body: '404 page not found' };
  }

  private gateway(req: RecordedRequest): FakeReply | Promise<FakeReply> {
    const body = req.json as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return { status: 422, body: { detail: [{ loc: ['body'], msg: 'body must be a JSON object' }] } };
    if (body.app_key !== this.appKey || body.app_secret !== this.appSecret) return { status: 401, body: { detail: 'Invalid app_key or app_secret' } };
    if (typeof body.path !== 'string' || body.data === null || typeof body.data !== 'object') {
      return { status: 422, body: { detail: [{ loc: ['body', 'path|data'], msg: 'field required' }] } };
    }
    return this.route(body.path, body.data) ?? { status: 404, body: { detail: 'Not Found' } };
  }

  private route(path: string, json: unknown): FakeReply | Promise<FakeReply> | undefined {
    const data = (json ?? {}) as Record<string, unknown>;
    if (path === '/client/all_clients') return { body: { data: [...this.clients.keys()] } };
    const known = ['/client/get_client_status', '/client/set_notify_url', '/session/get_session_list', '/msg/send_text'];
    if (!known.includes(path)) return undefined;
    if (typeof data !== 'object' || Array.isArray(data)) return err(-2003, '参数错误');
    const guid = data.guid;
    const client = typeof guid === 'string' ? this.clients.get(guid) : undefined;
    if (!client) return err(-1, 'client not found');
    switch (path) {
      case '/client/get_client_status':
        return ok({ status: client.status });
      case '/client/set_notify_url':
        if (typeof data.notify_url !== 'string' || !/^https?:\/\//.test(data.notify_url)) return err(-2003, '参数错误');
        client.notifyUrl = data.notify_url;
        return ok({});
      case '/session/get_session_list':
        return this.sessions(client, data);
      default:
        return this.sendText(guid as string, client, data);
    }
  }

  private sessions(client: JuheClientState, data: Record<string, unknown>): FakeReply {
    const begin = Number(data.begin_seq ?? '0');
    const limit = Number(data.limit ?? 100);
    if (!Number.isInteger(begin) || begin < 0 || !Number.isInteger(limit) || limit < 1) return err(-2003, '参数错误');
    // Session i has seq 1000000 + i; a page holds the sessions after begin_seq.
    const start = begin === 0 ? 0 : begin - 1_000_000 + 1;
    const page = client.sessions.slice(start, start + limit);
    const next = page.length > 0 ? String(1_000_000 + start + page.length - 1) : String(begin);
    return ok({ session_list: page, begin_seq: next });
  }

  private async sendText(guid: string, client: JuheClientState, data: Record<string, unknown>): Promise<FakeReply> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.sendDelayMs > 0) await new Promise((r) => setTimeout(r, this.sendDelayMs));
      const conversationId = data.conversation_id;
      if (typeof conversationId !== 'string' || !/^[SR]:\d+$/.test(conversationId)) return err(-2003, '参数错误');
      if (typeof data.content !== 'string' || data.content === '') return err(-2003, '参数错误');
      if (client.status !== 2) return err(-1, 'client not login');
      if (this.forbidden.has(conversationId)) return err(-4017, 'head rsp code error, error_msg: 对方无外部联系人权限，发送消息失败');
      const appinfo = randomBytes(24).toString('base64');
      const id = String(this.nextId++);
      const seq = String(this.nextSeq++);
      this.sent.push({ guid, conversationId, content: data.content, id, appinfo });
      const receiver = conversationId.slice(2);
      const isRoom = conversationId.startsWith('R:');
      const entry = this.messageEntry({
        id,
        seq,
        sender: '1688856214724417',
        receiver: isRoom ? '0' : receiver,
        roomid: isRoom ? receiver : '0',
        content: data.content,
        appinfo,
        sendFlag: 1,
      });
      if (client.notifyUrl && this.echo !== 'none') {
        const notifyType = this.echo;
        setImmediate(() => void this.postCallback(guid, notifyType, entry).catch(() => undefined));
      }
      return ok({
        msg_data: {
          id,
          seq,
          messagetype: 0,
          sender: '1688856214724417',
          receiver,
          roomid: isRoom ? receiver : '0',
          contenttype: 2,
          content: Buffer.from(data.content).toString('base64'),
          sendtime: 1753785577,
          flag: 0,
          devinfo: '131075',
          appinfo: Buffer.from(appinfo).toString('base64'),
          sendername: Buffer.from('郝永平').toString('base64'),
          extra_content: '',
          asid: '0',
        },
        is_svr_fail: false,
      });
    } finally {
      this.inFlight--;
    }
  }

  private messageEntry(m: { id?: string; seq?: string; sender: string; receiver: string; roomid: string; content: string; appinfo: string; sendFlag: 0 | 1 }): Record<string, unknown> {
    return {
      seq: m.seq ?? String(this.nextSeq++),
      id: m.id ?? String(this.nextId++),
      appinfo: m.appinfo,
      sender: m.sender,
      receiver: m.receiver,
      roomid: m.roomid,
      sendtime: 1753785577,
      sender_name: '郝永平',
      content_type: 2,
      referid: '0',
      flag: 0,
      asid: '0',
      extra_content: '',
      content: m.content,
      at_list: [],
      quote_content: '',
      quote_appinfo: '',
      send_flag: m.sendFlag,
      msg_type: 2,
    };
  }

  private async postCallback(guid: string, notifyType: 11010 | 11013, entry: Record<string, unknown>): Promise<string> {
    const url = this.clients.get(guid)?.notifyUrl;
    if (!url) throw new Error(`no notify URL for ${guid}: call /client/set_notify_url first`);
    const text = JSON.stringify({ guid, notify_type: notifyType, data: notifyType === 11013 ? [entry] : entry });
    const delivery = (async () => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
      await res.text();
      this.posted.push(text);
    })();
    this.pendingPosts.add(delivery);
    try {
      await delivery;
    } finally {
      this.pendingPosts.delete(delivery);
    }
    return text;
  }
}
