import { startTestGateway, type TestGateway } from './support/test-gateway.js';

/** Seeds 000 and 001 field by field, over HTTP, against fake gewechat and WeCom upstreams. */
describe('seed 000: POST /api/notify and GET /health', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(() => t.close());
  beforeEach(() => {
    t.gewe.online = true;
  });

  it('sends {wxid, content} through gewechat and answers {success, message, data:{newMsgId, msgId}} with string ids', async () => {
    const res = await t.call('POST', '/api/notify', { wxid: 'wxid_friend_a', content: '您的任务已完成！' });
    expect(res.status).toBe(200);
    expect(Object.keys(res.json).sort()).toEqual(['data', 'message', 'success']);
    expect(res.json.success).toBe(true);
    expect(res.json.message).toBe('消息发送成功');
    expect(Object.keys(res.json.data).sort()).toEqual(['msgId', 'newMsgId']);
    const sent = t.gewe.sent.at(-1)!;
    // 64-bit ids stay exact (the fake hands out ids above 2^53) and travel as strings.
    expect(res.json.data.newMsgId).toBe(sent.newMsgId.toString());
    expect(res.json.data.msgId).toBe(String(sent.msgId));
    expect(typeof res.json.data.newMsgId).toBe('string');
    expect(BigInt(res.json.data.newMsgId)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
    expect(sent).toMatchObject({ path: '/message/postText', toWxid: 'wxid_friend_a' });
    expect(sent.body).toMatchObject({ appId: t.gewe.appId, toWxid: 'wxid_friend_a', content: '您的任务已完成！' });
  });

  it('logged-out account → {success:false, message:"发送消息失败：用户未登录"} with 503', async () => {
    t.gewe.online = false;
    const res = await t.call('POST', '/api/notify', { wxid: 'wxid_friend_a', content: 'x' });
    expect(res.status).toBe(503);
    expect(res.json).toMatchObject({ success: false, message: '发送消息失败：用户未登录' });
    expect(res.json.data).toBeUndefined();
  });

  it('unknown recipient → success:false with the upstream reason and a hint', async () => {
    const res = await t.call('POST', '/api/notify', { wxid: 'wxid_stranger', content: 'x' });
    expect(res.status).toBe(502);
    expect(res.json).toMatchObject({ success: false, message: '发送消息失败：用户不存在', code: -4 });
    expect(res.json.hint).toMatch(/wxid/);
  });

  it('GET /health → 200 {status:"ok", message} while online, 503 {status:"error", message:"用户未登录"} offline', async () => {
    const ok = await t.call('GET', '/health', undefined, { auth: false });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ status: 'ok', message: '服务正常运行中' });
    t.gewe.online = false;
    const down = await t.call('GET', '/health', undefined, { auth: false });
    expect(down.status).toBe(503);
    expect(down.json).toEqual({ status: 'error', message: '用户未登录' });
  });

  it('needs an API key by default (seed 000 had none: WXNOTIFY_NOTIFY_AUTH=none restores that)', async () => {
    const res = await t.call('POST', '/api/notify', { wxid: 'wxid_friend_a', content: 'x' }, { auth: false });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(res.json).toMatchObject({ success: false, code: 'UNAUTHORIZED' });
    const wrong = await t.call('POST', '/api/notify', { wxid: 'wxid_friend_a', content: 'x' }, { auth: false, headers: { 'x-api-key': 'wxk_wrong_key_0123456789abcdef' } });
    expect(wrong.status).toBe(401);
  });
});

describe('seed 001: POST /api/notify/{code}', () => {
  let t: TestGateway;
  let code: string;
  beforeAll(async () => {
    t = await startTestGateway();
    ({ code } = await t.createCode());
  });
  afterAll(() => t.close());

  it('200 {message:"发送成功", response:{errcode:0, errmsg:"ok", msgid}}; the title is the bold first line of a markdown message', async () => {
    const content = 'CPU使用率超过90%,请及时处理!\n\n**详细信息**:\n- 服务器:web-server-01';
    const res = await t.call('POST', `/api/notify/${code}`, { title: '服务器告警', content }, { auth: false });
    expect(res.status).toBe(200);
    expect(res.json.message).toBe('发送成功');
    expect(res.json.response).toEqual({ errcode: 0, errmsg: 'ok', msgid: t.wecom.delivered.at(-1)!.msgid });
    const delivered = t.wecom.delivered.at(-1)!;
    expect(delivered.msgtype).toBe('markdown');
    expect(delivered.touser).toEqual(['zhangsan']);
    expect(delivered.payload.content).toBe(`**服务器告警**\n${content}`);
  });

  it('title is optional', async () => {
    const res = await t.call('POST', `/api/notify/${code}`, { content: '数据库备份已完成' }, { auth: false });
    expect(res.status).toBe(200);
    expect(t.wecom.delivered.at(-1)!.payload.content).toBe('数据库备份已完成');
  });

  it('content over 2,048 bytes is split by the core into parts that each fit', async () => {
    const long = '告警详情'.repeat(400); // 4,800 bytes of UTF-8
    const before = t.wecom.delivered.length;
    const res = await t.call('POST', `/api/notify/${code}`, { title: '长消息', content: long }, { auth: false });
    expect(res.status).toBe(200);
    const parts = t.wecom.delivered.slice(before);
    expect(parts.length).toBeGreaterThan(1);
    expect(res.json.response.parts).toBe(parts.length);
    for (const part of parts) expect(Buffer.byteLength(String(part.payload.content))).toBeLessThanOrEqual(2048);
    expect(parts.every((p) => !p.truncated)).toBe(true);
  });

  it('recipients WeCom did not accept are listed the way WeCom lists them', async () => {
    const partial = await t.createCode({ to: { users: ['zhangsan', 'invalid_bob', 'unlicensed_amy'] } });
    const res = await t.call('POST', `/api/notify/${partial.code}`, { content: 'x' }, { auth: false });
    expect(res.status).toBe(200);
    expect(res.json.response).toMatchObject({ errcode: 0, invaliduser: 'invalid_bob', unlicenseduser: 'unlicensed_amy' });
  });

  it('400 when content is missing, 404 for an unknown Code', async () => {
    const missing = await t.call('POST', `/api/notify/${code}`, { title: 'x' }, { auth: false });
    expect(missing.status).toBe(400);
    expect(missing.json).toMatchObject({ code: 'MISSING_FIELD', field: 'content' });
    const unknown = await t.call('POST', '/api/notify/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', { content: 'x' }, { auth: false });
    expect(unknown.status).toBe(404);
    expect(unknown.json.message).toBe('配置不存在,请检查Code是否正确');
  });

  it('500 with the upstream errcode/errmsg in the body when WeCom refuses', async () => {
    t.wecom.failNext('message/send', 81013, 1, 'user & party & tag all invalid');
    const res = await t.call('POST', `/api/notify/${code}`, { content: 'x' }, { auth: false });
    expect(res.status).toBe(500);
    expect(res.json.message).toMatch(/^企业微信API调用失败: /);
    expect(res.json.response).toMatchObject({ errcode: 81013 });
    expect(res.json.response.errmsg).toMatch(/invalid/);
    expect(res.json).toMatchObject({ success: false, code: 81013, retryable: false });
    expect(typeof res.json.hint).toBe('string');
  });
});
