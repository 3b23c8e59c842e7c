import { FakeServer, type FakeReply, type RecordedRequest } from '../../support/fake-server';

/**
 * A strict fake gewechat server (API root `<url>/v2/api`). Rules enforced, after the reference
 * (docs/upstream-apis §4): POST only, `X-GEWE-TOKEN` required, `{ret:200,msg,data}` envelope,
 * failures as `ret:500` with `data:{code,msg}`, 64-bit `newMsgId` written as raw JSON numbers,
 * `checkOnline` toggle, contacts, callbacks (with big-int `NewMsgId`) posted to the URL set by
 * `/tools/setCallback`, starting with the `testMsg` probe.
 *
 * Assumptions where the reference is silent (kept in one place): a bad token answers
 * `{ret:401,msg:"token无效"}`, an unknown appId `data:{code:"-1",msg:"设备不存在"}`, an offline
 * account `data:{code:"-1",msg:"用户未登录"}`.
 */
export interface GewechatFakeOptions {
  token?: string;
  appId?: string;
  /** The logged-in account's own wxid. */
  wxid?: string;
  friends?: string[];
  chatrooms?: string[];
  ghs?: string[];
  /** First newMsgId handed out (above 2^53 by default, to catch precision loss). */
  firstNewMsgId?: bigint;
}

export interface SentRecord {
  path: string;
  toWxid: string;
  body: Record<string, unknown>;
  newMsgId: bigint;
  msgId: number;
}

export type CallbackCasing = 'pascal' | 'snake';

const BIG = '__big__';

/** JSON with bigint values written as raw numbers (what the real server sends). */
export function bigJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${BIG}${v.toString()}` : v)).replace(
    new RegExp(`"${BIG}(-?\\d+)"`, 'g'),
    '$1',
  );
}

function reply(body: unknown): FakeReply {
  return { status: 200, headers: { 'content-type': 'application/json;charset=UTF-8' }, body: bigJson(body) };
}

function fail(msg: string, code?: string, dataMsg?: string): FakeReply {
  return reply({ ret: 500, msg, ...(code !== undefined ? { data: { code, msg: dataMsg } } : {}) });
}

export class GewechatFake {
  readonly token: string;
  readonly appId: string;
  readonly wxid: string;
  online = true;
  friends: string[];
  chatrooms: string[];
  ghs: string[];
  callbackUrl?: string;
  readonly sent: SentRecord[] = [];
  /** Callback bodies posted, as the raw text the receiver got. */
  readonly posted: string[] = [];
  private nextNewMsgId: bigint;
  private nextMsgId = 1_883_401_595;

  private constructor(
    readonly server: FakeServer,
    options: GewechatFakeOptions,
  ) {
    this.token = options.token ?? 'gewe-token-7f3c2a91d4';
    this.appId = options.appId ?? 'wx_wR_U4zPj2M_OTS3BCyoE4';
    this.wxid = options.wxid ?? 'wxid_phyyedw9xap22';
    this.friends = options.friends ?? ['wxid_friend_a', 'wxid_friend_b'];
    this.chatrooms = options.chatrooms ?? ['34757816141@chatroom'];
    this.ghs = options.ghs ?? ['gh_7aac992b0363'];
    this.nextNewMsgId = options.firstNewMsgId ?? 7773749793478223190n;
  }

  static async start(options: GewechatFakeOptions = {}): Promise<GewechatFake> {
    let fake: GewechatFake | undefined;
    const server = await FakeServer.start((req) => fake!.handle(req));
    fake = new GewechatFake(server, options);
    return fake;
  }

  /** API root to put into `baseUrl`. */
  get baseUrl(): string {
    return `${this.server.url}/v2/api`;
  }

  get requests(): RecordedRequest[] {
    return this.server.requests;
  }

  /** Requests whose path ends with `suffix`. */
  calls(suffix: string): RecordedRequest[] {
    return this.server.calls(suffix);
  }

  close(): Promise<void> {
    return this.server.close();
  }

  /** Posts an `AddMsg` callback for a message to the account; returns the raw body sent. */
  async emitMessage(message: {
    from: string;
    to?: string;
    content: string;
    newMsgId?: bigint;
    casing?: CallbackCasing;
    msgType?: number;
  }): Promise<string> {
    const newMsgId = message.newMsgId ?? this.nextNewMsgId++;
    const data = {
      MsgId: 1040356095,
      FromUserName: { string: message.from },
      ToUserName: { string: message.to ?? this.wxid },
      MsgType: message.msgType ?? 1,
      Content: { string: message.content },
      Status: 3,
      ImgStatus: 1,
      ImgBuf: { iLen: 0 },
      CreateTime: 1705043418,
      MsgSource: '<msgsource></msgsource>',
      PushContent: `someone : ${message.content}`,
      NewMsgId: newMsgId,
      MsgSeq: 640356095,
    };
    const body =
      message.casing === 'snake'
        ? { type_name: 'AddMsg', appid: this.appId, wxid: this.wxid, data }
        : { TypeName: 'AddMsg', Appid: this.appId, Wxid: this.wxid, Data: data };
    return this.post(bigJson(body));
  }

  /** Posts any raw callback body (e.g. `Offline`, or a replay of an earlier message). */
  async post(text: string): Promise<string> {
    if (!this.callbackUrl) throw new Error('no callback URL set: call /tools/setCallback first');
    const res = await fetch(this.callbackUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
    await res.text();
    this.posted.push(text);
    return text;
  }

  private handle(req: RecordedRequest): FakeReply | Promise<FakeReply> {
    if (req.method !== 'POST') return { status: 405, body: 'Method Not Allowed' };
    if (!req.path.startsWith('/v2/api/')) return { status: 404, body: { timestamp: 0, status: 404, error: 'Not Found', path: req.path } };
    const path = req.path.slice('/v2/api'.length);
    if (path === '/tools/getTokenId') return reply({ ret: 200, msg: '操作成功', data: this.token });
    if (req.headers['x-gewe-token'] !== this.token) return reply({ ret: 401, msg: 'token无效' });
    const body = req.json as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return fail('参数错误', '-2', 'request body must be a JSON object');
    if (path === '/tools/setCallback') return this.setCallback(body);
    if (body.appId !== this.appId) return fail('操作失败', '-1', '设备不存在');
    switch (path) {
      case '/login/checkOnline':
        return reply({ ret: 200, msg: '操作成功', data: this.online });
      case '/contacts/fetchContactsList':
      case '/contacts/fetchContactsListCache':
        if (!this.online) return fail('获取通讯录失败', '-1', '用户未登录');
        return reply({ ret: 200, msg: '操作成功', data: { friends: this.friends, chatrooms: this.chatrooms, ghs: this.ghs } });
      case '/message/postText':
        return this.deliver(path, body, ['content']);
      case '/message/postImage':
        return this.deliver(path, body, ['imgUrl']);
      case '/message/postFile':
        return this.deliver(path, body, ['fileUrl', 'fileName']);
      case '/message/postLink':
        return this.deliver(path, body, ['title', 'desc', 'linkUrl', 'thumbUrl'], ['thumbUrl', 'desc']);
      default:
        return { status: 404, body: { timestamp: 0, status: 404, error: 'Not Found', path: req.path } };
    }
  }

  private setCallback(body: Record<string, unknown>): FakeReply {
    if (body.token !== this.token) return fail('设置回调失败', '-1', 'token无效');
    if (typeof body.callbackUrl !== 'string' || !/^https?:\/\//.test(body.callbackUrl)) return fail('参数错误', '-2', 'callbackUrl');
    this.callbackUrl = body.callbackUrl;
    // The real server probes the URL once it is set.
    setImmediate(() => void this.post(JSON.stringify({ testMsg: '回调地址链接成功！', token: this.token })).catch(() => undefined));
    return reply({ ret: 200, msg: '操作成功' });
  }

  private deliver(path: string, body: Record<string, unknown>, required: string[], mayBeEmpty: string[] = []): FakeReply {
    if (!this.online) return fail('发送消息失败', '-1', '用户未登录');
    const toWxid = body.toWxid;
    if (typeof toWxid !== 'string' || toWxid === '') return fail('参数错误', '-2', 'toWxid');
    for (const key of required) {
      const v = body[key];
      if (typeof v !== 'string' || (v === '' && !mayBeEmpty.includes(key))) return fail('参数错误', '-2', key);
    }
    if (!this.friends.includes(toWxid) && !this.chatrooms.includes(toWxid)) return fail('操作失败', '-4', '用户不存在');
    if (body.ats !== undefined) {
      if (typeof body.ats !== 'string' || !toWxid.endsWith('@chatroom')) return fail('参数错误', '-2', 'ats');
    }
    const newMsgId = this.nextNewMsgId++;
    const msgId = this.nextMsgId++;
    this.sent.push({ path, toWxid, body, newMsgId, msgId });
    return reply({ ret: 200, msg: '操作成功', data: { toWxid, createTime: 1703841160, msgId, newMsgId, type: path === '/message/postText' ? 1 : 49 } });
  }
}
