import { startTestGateway, type TestGateway } from './support/test-gateway.js';

const SECRET = 'cb_secret_0123456789abcdef';
// Vector A of the reference (Tencent's WXBizMsgCrypt sample): URL verification.
const WECOM = { token: 'QDG6eK', key: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', corpId: 'wx5823bf96d3bd56c7' };
const VERIFY_QUERY = new URLSearchParams({
  msg_signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
  timestamp: '1409659589',
  nonce: '263014780',
  echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
});

describe('callbacks through @wxnotify/nestjs NotifyCallbacksModule', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({
      env: { WXNOTIFY_CALLBACK_SECRET: SECRET, WECOM_CALLBACK_TOKEN: WECOM.token, WECOM_CALLBACK_AES_KEY: WECOM.key, WECOM_CALLBACK_CORP_ID: WECOM.corpId },
    });
  });
  afterAll(() => t.close());

  it('gewechat posts messages to /callbacks/gewechat/<secret>; duplicates are dropped; the secret is not logged', async () => {
    t.gewe.callbackUrl = `${t.url}/callbacks/gewechat/${SECRET}`;
    const raw = await t.gewe.emitMessage({ from: 'wxid_friend_a', content: '收到', newMsgId: 7773749793478223191n });
    expect(raw).toContain('7773749793478223191');
    await t.gewe.post(raw); // a redelivery
    const metrics = await t.call('GET', '/metrics', undefined, { auth: false });
    expect(metrics.text).toMatch(/^wxnotify_callbacks_total\{source="gewechat"\} 1$/m);
    const wrong = await fetch(`${t.url}/callbacks/gewechat/wrong_secret_0123456789`, { method: 'POST', body: raw });
    expect(wrong.status).toBe(404);
    const logs = t.logs.join('\n');
    expect(logs).toContain('callback received');
    expect(logs).not.toContain(SECRET);
  });

  it('WeCom URL verification answers the bare decrypted echostr; a forged signature is 403', async () => {
    const ok = await fetch(`${t.url}/callbacks/wecom?${VERIFY_QUERY}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1616140317555161061');
    const forged = new URLSearchParams(VERIFY_QUERY);
    forged.set('msg_signature', '0'.repeat(40));
    expect((await fetch(`${t.url}/callbacks/wecom?${forged}`)).status).toBe(403);
  });
});

describe('callbacks not configured', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(() => t.close());

  it('answers 404 JSON', async () => {
    const res = await t.call('POST', `/callbacks/gewechat/${SECRET}`, { TypeName: 'AddMsg' }, { auth: false });
    expect(res.status).toBe(404);
    expect(res.json.success).toBe(false);
  });
});
