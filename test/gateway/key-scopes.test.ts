import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestGateway, TEST_API_KEY, TEST_SEND_KEY, type TestGateway } from './support/test-gateway.js';

/** Issue #13, gateway item 1 (key scopes, test-send under the Code's limit) and the Code check route, over real HTTP. */
describe('API key scopes', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(() => t.close());

  const as = (key: string) => ({ auth: false, headers: { authorization: `Bearer ${key}` } });

  it('a send key sends, but cannot list, test-send, rotate or revoke Codes', async () => {
    const { id } = await t.createCode();
    expect((await t.call('POST', '/api/channels/wechat/send', { content: 'x', to: 'wxid_friend_a' }, as(TEST_SEND_KEY))).status).toBe(200);
    for (const [method, path] of [
      ['GET', '/admin/api/codes'],
      ['POST', `/admin/api/codes/${id}/test`],
      ['POST', `/admin/api/codes/${id}/rotate`],
      ['DELETE', `/admin/api/codes/${id}`],
      ['POST', '/admin/api/keys'],
    ] as const) {
      const res = await t.call(method, path, method === 'POST' ? { content: '钓鱼' } : undefined, as(TEST_SEND_KEY));
      expect([method, path, res.status, res.json.code]).toEqual([method, path, 403, 'FORBIDDEN_SCOPE']);
    }
    expect(t.wecom.delivered.some((m) => JSON.stringify(m).includes('钓鱼'))).toBe(false);
    expect((await t.call('GET', '/admin/api/codes', undefined, as(TEST_API_KEY))).status).toBe(200);
  });

  it('new keys get the send scope unless admin is asked for; a revoked key is rejected as such', async () => {
    const created = await t.call('POST', '/admin/api/keys', { name: 'ci' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ scope: 'send', name: 'ci', key: expect.stringMatching(/^wxk_/) });
    const sendKey = created.json.key as string;
    expect((await t.call('POST', '/api/channels/wechat/send', { content: 'y', to: 'wxid_friend_a' }, as(sendKey))).status).toBe(200);
    expect((await t.call('GET', '/admin/api/codes', undefined, as(sendKey))).status).toBe(403);

    const admin = await t.call('POST', '/admin/api/keys', { name: 'ops', scope: 'admin' });
    expect(admin.json.scope).toBe('admin');
    expect((await t.call('GET', '/admin/api/codes', undefined, as(admin.json.key))).status).toBe(200);
    expect((await t.call('POST', '/admin/api/keys', { scope: 'root' })).json).toMatchObject({ code: 'INVALID_FIELD', field: 'scope' });

    const listed = await t.call('GET', '/admin/api/keys');
    expect(listed.json.keys.map((k: { name: string; scope: string }) => [k.name, k.scope])).toEqual(expect.arrayContaining([['ci', 'send'], ['ops', 'admin']]));
    expect(listed.text).not.toContain(sendKey);

    expect((await t.call('DELETE', `/admin/api/keys/${created.json.id}`)).status).toBe(200);
    const rejected = await t.call('POST', '/api/channels/wechat/send', { content: 'z', to: 'wxid_friend_a' }, as(sendKey));
    expect(rejected.status).toBe(401);
    expect(rejected.json).toMatchObject({ code: 'INVALID_API_KEY', message: expect.stringMatching(/rejected/) });
    const none = await t.call('POST', '/api/channels/wechat/send', { content: 'z', to: 'wxid_friend_a' }, { auth: false });
    expect(none.json.code).toBe('UNAUTHORIZED');
  });

  it('the test-send route takes from the Code\'s rate limit, shared with the Code route', async () => {
    const { id, code } = await t.createCode({ rateLimitPerMinute: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await t.call('POST', `/admin/api/codes/${id}/test`, { content: `test ${i}` })).status);
    expect(statuses).toEqual([200, 200, 200]);
    const fourth = await t.call('POST', `/admin/api/codes/${id}/test`, { content: 'test 4' });
    expect(fourth.status).toBe(429);
    expect(Number(fourth.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await t.call('POST', `/api/notify/${code}`, { content: 'after tests' }, { auth: false })).status).toBe(429);
  });

  it('the first key the gateway creates is an admin key for the local CLI', async () => {
    const fresh = await startTestGateway({ env: { WXNOTIFY_API_KEYS: '', WXNOTIFY_ADMIN_API_KEYS: '' } });
    try {
      const key = readFileSync(join(fresh.dataDir, 'api-key'), 'utf8').trim();
      expect((await fresh.call('GET', '/admin/api/codes', undefined, as(key))).status).toBe(200);
      expect((await fresh.call('POST', '/admin/api/keys', {}, as(key))).json.scope).toBe('send');
    } finally {
      await fresh.close();
    }
  });
});

describe('GET /api/notify/{code}/check', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(() => t.close());

  it('answers whether a Code is valid without sending anything', async () => {
    const { code } = await t.createCode({ name: '运维告警' });
    const sends = t.wecom.sendCalls;
    const ok = await t.call('GET', `/api/notify/${code}/check`, undefined, { auth: false });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ success: true, valid: true, name: '运维告警', channel: 'wecom-app' });
    const flipped = code.slice(0, -1) + (code.endsWith('A') ? 'B' : 'A');
    const wrong = await t.call('GET', `/api/notify/${flipped}/check`, undefined, { auth: false });
    expect(wrong.status).toBe(404);
    expect(wrong.json).toMatchObject({ success: false, code: 'UNKNOWN_CODE' });
    const badKey = await t.call('GET', `/api/notify/${code}/check`, undefined, { auth: false, headers: { 'x-api-key': 'wxk_wrong_key_0123456789abcdef' } });
    expect(badKey.status).toBe(401);
    expect(t.wecom.sendCalls).toBe(sends);
    expect(t.logs.join('\n')).not.toContain(code);
    expect(t.logs.join('\n')).toContain('/api/notify/***/check');
  });

  it('is under the Code\'s rate limit, like the Code route', async () => {
    const { code } = await t.createCode({ rateLimitPerMinute: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await t.call('GET', `/api/notify/${code}/check`, undefined, { auth: false })).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect((await t.call('POST', `/api/notify/${code}`, { content: 'x' }, { auth: false })).status).toBe(429);
  });

  it('the core gateway client checks the Code with it (a wrong Code fails the check)', async () => {
    const { createChannel } = await import('@wxnotify/core');
    const { code } = await t.createCode({ name: 'n8n' });
    const good = await createChannel({ type: 'gateway', baseUrl: t.url, code }).check();
    expect(good).toMatchObject({ ok: true });
    expect(good.message).toContain('n8n');
    const bad = await createChannel({ type: 'gateway', baseUrl: t.url, code: `${code.slice(0, -2)}zz` }).check();
    expect(bad.ok).toBe(false);
    expect(bad.message).not.toContain(code.slice(0, -2));
    const noCode = await createChannel({ type: 'gateway', baseUrl: t.url }).check();
    expect(noCode.ok).toBe(true);
  });
});
