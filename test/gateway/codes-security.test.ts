import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestGateway, TEST_API_KEY, type TestGateway } from './support/test-gateway.js';

describe('config Codes: capability secrets', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(() => t.close());

  it('are 192-bit base64url values, unique, shown once and stored only as a SHA-256 hash', async () => {
    const a = await t.createCode();
    const b = await t.createCode();
    for (const { code } of [a, b]) expect(code).toMatch(/^[A-Za-z0-9_-]{32}$/); // 24 random bytes
    expect(a.code).not.toBe(b.code);
    expect(a.body.hint).toBe(`${a.code.slice(0, 4)}…`);
    const list = await t.call('GET', '/admin/api/codes');
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.json)).not.toContain(a.code);
    const db = readFileSync(join(t.dataDir, 'wxnotify.db'));
    expect(db.includes(Buffer.from(a.code))).toBe(false);
    const { createHash } = await import('node:crypto');
    expect(db.includes(Buffer.from(createHash('sha256').update(a.code).digest('hex')))).toBe(true);
  });

  it('keep the WeCom secret encrypted at rest (AES-256-GCM), never in answers or logs', async () => {
    const { code } = await t.createCode();
    await t.call('POST', `/api/notify/${code}`, { content: 'x' }, { auth: false });
    const db = readFileSync(join(t.dataDir, 'wxnotify.db'));
    expect(db.includes(Buffer.from(t.wecom.corpSecret))).toBe(false);
    const list = await t.call('GET', '/admin/api/codes');
    expect(list.text).not.toContain(t.wecom.corpSecret);
    const logs = t.logs.join('\n');
    expect(logs).not.toContain(t.wecom.corpSecret);
    expect(logs).not.toContain(code);
    expect(logs).not.toContain(TEST_API_KEY);
    expect(logs).toContain('/api/notify/***');
  });

  it('wrong Code → 404, malformed Code → 404, without reaching WeCom', async () => {
    const { code } = await t.createCode();
    const sends = t.wecom.sendCalls;
    const flipped = code.slice(0, -1) + (code.endsWith('A') ? 'B' : 'A');
    for (const wrong of [flipped, 'short', `${code}x`, '..%2F..%2Fetc', 'A'.repeat(200)]) {
      const res = await t.call('POST', `/api/notify/${wrong}`, { content: 'x' }, { auth: false });
      expect(res.status).toBe(404);
      expect(res.json.success).toBe(false);
    }
    expect(t.wecom.sendCalls).toBe(sends);
  });

  it('revoked Code is rejected at once; rotation gives a new Code and kills the old one', async () => {
    const { id, code } = await t.createCode();
    expect((await t.call('POST', `/api/notify/${code}`, { content: '1' }, { auth: false })).status).toBe(200);

    const rotated = await t.call('POST', `/admin/api/codes/${id}/rotate`);
    expect(rotated.status).toBe(200);
    const fresh = rotated.json.code as string;
    expect(fresh).not.toBe(code);
    expect(rotated.json.examples.url).toContain(`/api/notify/${fresh}`);
    expect((await t.call('POST', `/api/notify/${code}`, { content: '2' }, { auth: false })).status).toBe(404);
    expect((await t.call('POST', `/api/notify/${fresh}`, { content: '3' }, { auth: false })).status).toBe(200);

    const revoked = await t.call('DELETE', `/admin/api/codes/${id}`);
    expect(revoked.status).toBe(200);
    expect((await t.call('POST', `/api/notify/${fresh}`, { content: '4' }, { auth: false })).status).toBe(404);
    expect((await t.call('DELETE', `/admin/api/codes/${id}`)).status).toBe(404);
    expect((await t.call('POST', `/admin/api/codes/${id}/rotate`)).status).toBe(404);
    const listed = (await t.call('GET', '/admin/api/codes')).json.codes.find((c: { id: string }) => c.id === id);
    expect(listed.revokedAt).toEqual(expect.any(String));
    expect(listed.sendCount).toBe(2);
  });

  it('per-Code rate limit answers 429 with Retry-After; other Codes are unaffected', async () => {
    const limited = await t.createCode({ rateLimitPerMinute: 2 });
    const other = await t.createCode();
    const send = (code: string) => t.call('POST', `/api/notify/${code}`, { content: 'x' }, { auth: false });
    expect((await send(limited.code)).status).toBe(200);
    expect((await send(limited.code)).status).toBe(200);
    const third = await send(limited.code);
    expect(third.status).toBe(429);
    const retryAfter = Number(third.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(third.json).toMatchObject({ success: false, code: 'RATE_LIMITED' });
    expect((await send(other.code)).status).toBe(200);
  });

  it('guessing Codes is rate limited per address (429 after 120 unknown Codes a minute); real Codes still work', async () => {
    const { code } = await t.createCode();
    const statuses: number[] = [];
    for (let i = 0; i < 125; i++) statuses.push((await t.call('POST', `/api/notify/${'G'.repeat(28)}${String(i).padStart(4, '0')}`, { content: 'x' }, { auth: false })).status);
    const first429 = statuses.indexOf(429);
    expect(statuses.slice(0, first429).every((s) => s === 404)).toBe(true);
    expect(first429).toBeGreaterThan(100); // earlier tests in this file also sent a few unknown Codes
    expect(statuses.slice(first429).every((s) => s === 429)).toBe(true);
    expect((await t.call('POST', `/api/notify/${code}`, { content: 'x' }, { auth: false })).status).toBe(200);
  });

  it('admin API: no session and no key → 401; a cookie session needs the anti-CSRF header for changes', async () => {
    expect((await t.call('GET', '/admin/api/codes', undefined, { auth: false })).status).toBe(401);
    expect((await t.call('POST', '/admin/api/login', { password: 'wrong' }, { auth: false })).status).toBe(401);
    const login = await t.call('POST', '/admin/api/login', { password: 'admin-password-for-tests' }, { auth: false });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^wxnotify_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    const session = cookie.split(';')[0]!;
    expect((await t.call('GET', '/admin/api/codes', undefined, { auth: false, headers: { cookie: session } })).status).toBe(200);
    const noHeader = await t.call('POST', '/admin/api/codes', { name: 'x' }, { auth: false, headers: { cookie: session } });
    expect(noHeader.status).toBe(403);
    const created = await t.call('POST', '/admin/api/codes', { ...t.wecom.credentials, to: { all: true } }, { auth: false, headers: { cookie: session, 'x-wxnotify-admin': '1' } });
    expect(created.status).toBe(201);
    await t.call('POST', '/admin/api/logout', {}, { auth: false, headers: { cookie: session } });
    expect((await t.call('GET', '/admin/api/codes', undefined, { auth: false, headers: { cookie: session } })).status).toBe(401);
  });

  it('verify fetches a token and lists departments and members; a wrong secret is a 4xx with a hint', async () => {
    const ok = await t.call('POST', '/admin/api/wecom/verify', t.wecom.credentials);
    expect(ok.status).toBe(200);
    expect(ok.json.departments.length).toBeGreaterThan(0);
    expect(ok.json.departments[0]).toEqual(expect.objectContaining({ id: expect.any(Number), name: expect.any(String) }));
    expect(ok.json.members[0]).toEqual(expect.objectContaining({ userId: expect.any(String), name: expect.any(String) }));
    const bad = await t.call('POST', '/admin/api/wecom/verify', { ...t.wecom.credentials, corpSecret: 'wrong-secret-value-000' });
    expect(bad.status).toBe(400);
    expect(bad.json.hint).toMatch(/Secret/);
    expect(bad.text).not.toContain('wrong-secret-value-000');
  });

  it('the admin password can be changed (current password required, 10+ characters); old sessions end', async () => {
    const login = (password: string) => t.call('POST', '/admin/api/login', { password }, { auth: false });
    const session = (await login('admin-password-for-tests')).headers.get('set-cookie')!.split(';')[0]!;
    expect((await t.call('POST', '/admin/api/password', { current: 'nope', next: 'a-new-password-1' })).status).toBe(401);
    expect((await t.call('POST', '/admin/api/password', { current: 'admin-password-for-tests', next: 'short' })).status).toBe(400);
    expect((await t.call('POST', '/admin/api/password', { current: 'admin-password-for-tests', next: 'a-new-password-1' })).status).toBe(200);
    expect((await t.call('GET', '/admin/api/codes', undefined, { auth: false, headers: { cookie: session } })).status).toBe(401);
    expect((await login('admin-password-for-tests')).status).toBe(401);
    expect((await login('a-new-password-1')).status).toBe(200);
  });
});
