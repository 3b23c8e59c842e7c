import { loadConfig } from '../../gateway/src/config.js';
import { startTestGateway, TEST_ADMIN_PASSWORD, type TestGateway } from './support/test-gateway.js';

const login = (t: TestGateway, password: string, headers: Record<string, string> = {}) => t.call('POST', '/admin/api/login', { password }, { auth: false, headers });

describe('admin logins', () => {
  it('WXNOTIFY_ADMIN_PASSWORD needs at least 10 characters, like a password change', () => {
    expect(() => loadConfig({ WXNOTIFY_ADMIN_PASSWORD: 'short-pw' })).toThrow(/WXNOTIFY_ADMIN_PASSWORD needs at least 10 characters/);
    expect(loadConfig({ WXNOTIFY_ADMIN_PASSWORD: 'long-enough-1' }).adminPassword).toBe('long-enough-1');
    expect(() => loadConfig({ WXNOTIFY_TRUST_PROXY: 'x; y' })).toThrow(/WXNOTIFY_TRUST_PROXY/);
  });

  describe('behind a trusted reverse proxy (WXNOTIFY_TRUST_PROXY=loopback)', () => {
    let t: TestGateway;
    beforeAll(async () => {
      t = await startTestGateway({ env: { WXNOTIFY_TRUST_PROXY: 'loopback' } });
    });
    afterAll(() => t.close());

    it('the login limit counts per client address (X-Forwarded-For): one address spent does not lock out another', async () => {
      const statuses = [];
      for (let i = 0; i < 11; i++) statuses.push((await login(t, 'wrong-password', { 'x-forwarded-for': '203.0.113.9' })).status);
      expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
      expect(statuses[10]).toBe(429);
      expect((await login(t, TEST_ADMIN_PASSWORD, { 'x-forwarded-for': '203.0.113.10' })).status).toBe(200);
    });

    it('the session cookie is Secure when the proxy says the client used https', async () => {
      const tls = await login(t, TEST_ADMIN_PASSWORD, { 'x-forwarded-for': '203.0.113.11', 'x-forwarded-proto': 'https' });
      expect(tls.headers.get('set-cookie')).toMatch(/; Secure/);
      const plain = await login(t, TEST_ADMIN_PASSWORD, { 'x-forwarded-for': '203.0.113.11' });
      expect(plain.headers.get('set-cookie')).not.toMatch(/Secure/);
    });
  });

  describe('without WXNOTIFY_TRUST_PROXY', () => {
    let t: TestGateway;
    beforeAll(async () => {
      t = await startTestGateway();
    });
    afterAll(() => t.close());

    it('forwarded headers are not believed: a spoofed X-Forwarded-For is no way around the limit, nor X-Forwarded-Proto a Secure cookie', async () => {
      const statuses = [];
      for (let i = 0; i < 11; i++) statuses.push((await login(t, 'wrong-password', { 'x-forwarded-for': `198.51.100.${i}` })).status);
      expect(statuses[10]).toBe(429);
      expect((await login(t, TEST_ADMIN_PASSWORD, { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.99' })).status).toBe(429);
    });

    it('WXNOTIFY_PUBLIC_URL=https://… makes the cookie Secure (TLS ends at a proxy the gateway is not told about)', async () => {
      const https = await startTestGateway({ env: { WXNOTIFY_PUBLIC_URL: 'https://notify.example.com' } });
      try {
        expect((await login(https, TEST_ADMIN_PASSWORD)).headers.get('set-cookie')).toMatch(/; Secure/);
      } finally {
        await https.close();
      }
    });
  });
});
