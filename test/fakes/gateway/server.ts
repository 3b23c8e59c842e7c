import { FakeServer, type FakeReply, type RecordedRequest } from '../../support/fake-server';

/**
 * A local wxnotify-compatible notify gateway speaking the two seed contracts exactly:
 * - `POST /api/notify` `{wxid, content}` → `{success, message, data:{newMsgId, msgId}}` (seed 000)
 * - `POST /api/notify/{code}` `{title?, content}` → `{message, response:{errcode, errmsg, msgid}}`,
 *   400 missing content, 404 unknown code, 500 upstream failure (seed 001)
 * - `GET /health` → `{status, message}`
 * - `GET /api/notify/{code}/check` → 200 `{success, valid:true, name, channel}` or 404, sending nothing
 *   (the real gateway's Code check, used by credential tests)
 * plus the optional `Authorization: Bearer` key and a 429 + Retry-After throttle.
 */
export interface FakeGatewayOptions {
  clock?: { now(): number };
  /** Known configuration codes (default: `cfg_fake_code_42`). */
  codes?: string[];
  /** When set, every call must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Calls per window before 429 with Retry-After (default: unlimited). */
  rateLimit?: { limit: number; windowMs: number };
}

export const DEFAULT_GATEWAY_CODE = 'cfg_fake_code_42';

export interface FakeGatewayDelivery {
  route: 'wxid' | 'code';
  wxid?: string;
  code?: string;
  title?: string;
  content: string;
}

export class FakeGateway {
  readonly delivered: FakeGatewayDelivery[] = [];
  /** The gateway's WeChat client state: when false, /api/notify fails with 用户未登录 and /health says error. */
  loggedIn = true;
  /** Next code-route calls fail as if WeCom refused (errcode, errmsg). */
  readonly upstreamFailures: Array<{ errcode: number; errmsg: string }> = [];
  private readonly clock: { now(): number };
  private readonly codes: Set<string>;
  private readonly calls: number[] = [];
  private nextMsgId = 1_883_401_595;

  private constructor(
    readonly server: FakeServer,
    private readonly options: FakeGatewayOptions,
  ) {
    this.clock = options.clock ?? { now: () => Date.now() };
    this.codes = new Set(options.codes ?? [DEFAULT_GATEWAY_CODE]);
  }

  static async start(options: FakeGatewayOptions = {}): Promise<FakeGateway> {
    let fake: FakeGateway | undefined;
    const server = await FakeServer.start((req) => fake!.handle(req));
    fake = new FakeGateway(server, options);
    return fake;
  }

  get url(): string {
    return this.server.url;
  }

  get requests(): RecordedRequest[] {
    return this.server.requests;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private handle(req: RecordedRequest): FakeReply {
    if (this.options.apiKey && req.headers.authorization !== `Bearer ${this.options.apiKey}`) {
      return { status: 401, body: { success: false, message: 'unauthorized' } };
    }
    if (req.method === 'GET' && req.path === '/health') {
      return this.loggedIn ? { status: 200, body: { status: 'ok', message: '服务正常运行中' } } : { status: 503, body: { status: 'error', message: '用户未登录' } };
    }
    const check = /^\/api\/notify\/([^/]+)\/check$/.exec(req.path);
    if (req.method === 'GET' && check) return this.checkCode(decodeURIComponent(check[1]));
    if (req.method !== 'POST' || !req.path.startsWith('/api/notify')) return { status: 404, body: { success: false, message: 'Not Found' } };
    const throttled = this.throttle();
    if (throttled) return throttled;
    const body = (typeof req.json === 'object' && req.json !== null ? req.json : {}) as Record<string, unknown>;
    if (req.path === '/api/notify') return this.notifyWxid(body);
    const match = /^\/api\/notify\/([^/]+)$/.exec(req.path);
    if (!match) return { status: 404, body: { message: '配置不存在,请检查Code是否正确' } };
    return this.notifyCode(decodeURIComponent(match[1]), body);
  }

  private throttle(): FakeReply | undefined {
    const rule = this.options.rateLimit;
    if (!rule) return undefined;
    const now = this.clock.now();
    while (this.calls.length > 0 && this.calls[0] <= now - rule.windowMs) this.calls.shift();
    if (this.calls.length >= rule.limit) {
      const retryAfter = Math.ceil((this.calls[0] + rule.windowMs - now) / 1000);
      return { status: 429, headers: { 'retry-after': String(retryAfter) }, body: { success: false, message: '请求过于频繁' } };
    }
    this.calls.push(now);
    return undefined;
  }

  private notifyWxid(body: Record<string, unknown>): FakeReply {
    const { wxid, content } = body;
    if (typeof wxid !== 'string' || wxid === '' || typeof content !== 'string' || content === '') {
      return { status: 400, body: { success: false, message: '缺少必要参数: wxid 和 content 为必填' } };
    }
    if (!this.loggedIn) return { status: 500, body: { success: false, message: '发送消息失败：用户未登录' } };
    this.delivered.push({ route: 'wxid', wxid, content });
    const msgId = this.nextMsgId++;
    // newMsgId is a 64-bit id: sent as a string, as in the seed example.
    return { status: 200, body: { success: true, message: '消息发送成功', data: { newMsgId: `72651880270485${String(msgId).slice(-5)}`, msgId } } };
  }

  private checkCode(code: string): FakeReply {
    if (!this.codes.has(code)) return { status: 404, body: { success: false, code: 'UNKNOWN_CODE', message: '配置不存在,请检查Code是否正确' } };
    return { status: 200, body: { success: true, valid: true, name: `config ${code.slice(0, 4)}`, channel: 'wecom-app' } };
  }

  private notifyCode(code: string, body: Record<string, unknown>): FakeReply {
    if (!this.codes.has(code)) return { status: 404, body: { message: '配置不存在,请检查Code是否正确' } };
    const { title, content } = body;
    if (typeof content !== 'string' || content === '') return { status: 400, body: { message: '参数错误: content 为必填' } };
    if (title !== undefined && typeof title !== 'string') return { status: 400, body: { message: '参数错误: title 必须是字符串' } };
    const failure = this.upstreamFailures.shift();
    if (failure) return { status: 500, body: { message: '企业微信API调用失败', response: failure } };
    this.delivered.push({ route: 'code', code, title, content });
    return { status: 200, body: { message: '发送成功', response: { errcode: 0, errmsg: 'ok', msgid: `MSGID${this.nextMsgId++}` } } };
  }
}
