import { startTestGateway, TEST_API_KEY, type TestGateway } from './support/test-gateway.js';

/** Issue #13, gateway items 4 (bad input), 5 (Codes in logs) and 12 (metrics labels), over real HTTP. */
describe('gateway input limits, Code redaction and route labels', () => {
  let t: TestGateway;
  let code: string;
  beforeAll(async () => {
    t = await startTestGateway();
    ({ code } = await t.createCode());
  });
  afterAll(() => t.close());

  const post = (path: string, raw: string, headers: Record<string, string> = {}) =>
    t.call('POST', path, undefined, { raw, headers: { 'content-type': 'application/json', ...headers } });

  it('JSON nested 10,000 deep is a 400 naming the depth limit on every send route, sync and async', async () => {
    const deep = `{"content": "x", "to": "wxid_friend_a", "options": ${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
    for (const path of ['/api/notify', `/api/notify/${code}`, '/api/channels/wechat/send', '/api/channels/wechat/send?async=true', '/admin/api/codes']) {
      const res = await post(path, deep);
      expect([path, res.status, res.json?.code]).toEqual([path, 400, 'TOO_DEEP']);
      expect(res.json.message).toMatch(/32 levels/);
    }
    // A body of ordinary depth still goes through.
    expect((await post('/api/channels/wechat/send', JSON.stringify({ content: 'x', to: 'wxid_friend_a', options: { a: { b: { c: 1 } } } }))).status).toBe(200);
  });

  it('the async route rejects what the sync route rejects, before answering 202, and stores nothing', async () => {
    const bad = [
      { content: 'x', to: 42 },
      { content: 'x', to: 'wxid_friend_a', type: 'no-such-type' },
      { content: 'x' }, // gewechat needs a recipient: no default configured
    ];
    const depth = async () => Number(/wxnotify_queue_depth (\d+)/.exec((await t.call('GET', '/metrics')).text)?.[1]);
    const before = await depth();
    for (const body of bad) {
      const sync = await t.call('POST', '/api/channels/wechat/send', body);
      const queued = await t.call('POST', '/api/channels/wechat/send?async=true', body);
      expect({ body, sync: sync.status, async: queued.status }).toEqual({ body, sync: 400, async: 400 });
      expect(queued.json.code).toBe(sync.json.code);
    }
    expect(await depth()).toBe(before);
    expect((await t.call('POST', '/api/channels/wechat/send?async=true', { content: 'ok', to: 'wxid_friend_a' })).status).toBe(202);
  });

  it('a form-encoded body is told which Content-Type to send', async () => {
    for (const path of ['/api/notify', `/api/notify/${code}`, '/api/channels/wechat/send']) {
      const res = await post(path, 'content=hello&wxid=wxid_friend_a', { 'content-type': 'application/x-www-form-urlencoded' });
      expect([path, res.status]).toEqual([path, 415]);
      expect(res.json.message).toContain('Content-Type: application/json');
      expect(res.json.message).toContain('application/x-www-form-urlencoded');
    }
  });

  it('a Code never reaches a log line or a 404 body, whatever the case, slashes or query string', async () => {
    const paths = [
      `/API/NOTIFY/${code}`,
      `/Api/Notify/${code}`,
      `/api//notify/${code}`,
      `/api/notify//${code}`,
      `/api/notify?code=${code}`,
      `/api/notify/x?c=${code}`,
      `/api/nothing/${code}`,
      `/api/notify/${code}/`,
    ];
    for (const path of paths) {
      const res = await fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ content: `redaction ${path}` }) });
      const text = await res.text();
      expect([path, text.includes(code)]).toEqual([path, false]);
    }
    // The case-insensitive routes did reach the Code (so the test exercises real Code paths).
    expect(t.wecom.delivered.length).toBeGreaterThanOrEqual(2);
    const logs = t.logs.join('\n');
    expect(logs).not.toContain(code);
    expect(logs).toContain('/API/NOTIFY/***');
  });

  it('a malformed-JSON POST is counted under its route, not "static"', async () => {
    await post('/api/notify', '{"wxid": ', { authorization: `Bearer ${TEST_API_KEY}` });
    await post(`/api/notify/${code}`, '{"content": ');
    const metrics = (await t.call('GET', '/metrics')).text;
    expect(metrics).toMatch(/wxnotify_http_requests_total\{route="\/api\/notify",status="400"\} [1-9]/);
    expect(metrics).toMatch(/wxnotify_http_requests_total\{route="\/api\/notify\/:code",status="400"\} [1-9]/);
    expect(metrics).not.toMatch(/route="static",status="400"/);
    expect(metrics).not.toContain(code);
  });
});
