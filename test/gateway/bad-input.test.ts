import { startTestGateway, TEST_API_KEY, type TestGateway } from './support/test-gateway.js';

interface BadCase {
  name: string;
  raw?: string;
  body?: unknown;
  contentType?: string;
  status?: number;
  /** Only this route treats the case as bad input. */
  only?: string;
}

const bodies: BadCase[] = [
  { name: 'malformed JSON', raw: '{"content": "x",', status: 400 },
  { name: 'not JSON at all', raw: 'content=hello', contentType: 'application/x-www-form-urlencoded', status: 415 },
  { name: 'empty body', raw: '', status: 400 },
  { name: 'JSON null', raw: 'null', status: 400 },
  { name: 'JSON array', body: [{ content: 'x' }], status: 400 },
  { name: 'JSON string', body: 'content', status: 400 },
  { name: 'JSON number', raw: '42', status: 400 },
  { name: 'content missing', body: { wxid: 'wxid_friend_a' }, status: 400 },
  { name: 'content blank', body: { wxid: 'wxid_friend_a', content: '   ' }, status: 400 },
  { name: 'content a number', body: { wxid: 'wxid_friend_a', content: 12 }, status: 400 },
  { name: 'content an object', body: { wxid: 'wxid_friend_a', content: { a: 1 } }, status: 400 },
  { name: 'content an array', body: { wxid: 'wxid_friend_a', content: ['x'] }, status: 400 },
  { name: 'title a number', body: { wxid: 'wxid_friend_a', title: 5, content: 'x' }, status: 400 },
  { name: 'wxid a number', body: { wxid: 5, content: 'x' }, status: 400, only: '/api/notify' },
  { name: 'wxid missing', body: { content: 'x' }, status: 400, only: '/api/notify' },
  { name: 'to of the wrong shape', body: { content: 'x', to: 42 }, status: 400, only: '/api/channels/wechat/send' },
  { name: 'format unknown', body: { content: 'x', to: 'wxid_friend_a', format: 'pdf' }, status: 400, only: '/api/channels/wechat/send' },
  { name: 'content over the content limit', body: { wxid: 'wxid_friend_a', content: '字'.repeat(6000) }, status: 413 },
  { name: 'body over the body limit', body: { wxid: 'wxid_friend_a', content: 'x'.repeat(70_000) }, status: 413 },
  { name: 'prototype pollution attempt', raw: '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}', status: 400 },
  { name: 'deep nesting', raw: `${'['.repeat(5000)}${']'.repeat(5000)}`, status: 400 },
  { name: 'invalid UTF-8', raw: Buffer.from([0x7b, 0x22, 0x63, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]).toString('latin1'), status: 400 },
  { name: 'unsupported charset', raw: '{"content":"x"}', contentType: 'application/json; charset=iso-8859-1', status: 415 },
  { name: 'UTF-16 declared, UTF-8 sent', raw: '{"content":"x"}', contentType: 'application/json; charset=utf-16', status: 400 },
];

describe('bad input never gives a 5xx or a crash', () => {
  let t: TestGateway;
  let code: string;
  beforeAll(async () => {
    t = await startTestGateway({ env: { WXNOTIFY_MAX_CONTENT_BYTES: '16kb' } });
    ({ code } = await t.createCode());
  });
  afterAll(() => t.close());

  const routes = () => [
    { path: '/api/notify', auth: true },
    { path: `/api/notify/${code}`, auth: false },
    { path: '/api/channels/wechat/send', auth: true },
  ];

  it.each(bodies)('$name → 4xx JSON on every send route', async (bad) => {
    const before = { gewe: t.gewe.sent.length, wecom: t.wecom.delivered.length };
    for (const route of routes().filter((r) => !bad.only || r.path === bad.only)) {
      const headers: Record<string, string> = { 'content-type': bad.contentType ?? 'application/json' };
      if (route.auth) headers.authorization = `Bearer ${TEST_API_KEY}`;
      const res = await fetch(`${t.url}${route.path}`, { method: 'POST', headers, body: bad.raw ?? JSON.stringify(bad.body) });
      const json = (await res.json()) as { success: boolean; message: string; code: string };
      expect({ route: route.path, status: res.status }).toEqual({ route: route.path, status: bad.status ?? expect.any(Number) });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(json.success).toBe(false);
      expect(typeof json.message).toBe('string');
    }
    // Nothing bad reached an upstream.
    expect({ gewe: t.gewe.sent.length, wecom: t.wecom.delivered.length }).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('unknown routes, unknown channels, wrong methods → JSON 404', async () => {
    for (const [method, path] of [
      ['GET', '/api/nothing'],
      ['POST', '/api/channels/nope/send'],
      ['DELETE', '/api/notify'],
      ['GET', '/api/outbox/not-a-uuid'],
    ] as const) {
      const res = await t.call(method, path, method === 'POST' ? { content: 'x' } : undefined);
      expect([method, path, res.status]).toEqual([method, path, 404]);
      expect(res.json.success).toBe(false);
    }
  });

  it('the gateway is still healthy after the sweep', async () => {
    const res = await t.call('GET', '/health', undefined, { auth: false });
    expect(res.status).toBe(200);
    expect(t.logs.some((l) => l.includes('"level":"error"'))).toBe(false);
  });
});
