import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../gateway/src/config.js';
import { WindowRateLimiter } from '../../gateway/src/http/rate-limit.js';
import { GatewayLogger } from '../../gateway/src/observability/logger.js';
import { codeHint, hashSecret, looksLikeCode, newCode, sameHash } from '../../gateway/src/security/codes.js';
import { loadSecretKey, parseSecretKey } from '../../gateway/src/security/data-dir-secrets.js';
import { hashPassword, verifyPassword } from '../../gateway/src/security/password.js';
import { SecretBox } from '../../gateway/src/security/secret-box.js';

describe('gateway building blocks', () => {
  it('Codes: 32 base64url characters, distinct, hash comparison is exact', () => {
    const codes = new Set(Array.from({ length: 1000 }, () => newCode()));
    expect(codes.size).toBe(1000);
    for (const code of codes) expect(looksLikeCode(code)).toBe(true);
    const [a, b] = [...codes];
    expect(sameHash(hashSecret(a!), hashSecret(a!))).toBe(true);
    expect(sameHash(hashSecret(a!), hashSecret(b!))).toBe(false);
    expect(sameHash('', '')).toBe(false);
    expect(codeHint('abcdefgh')).toBe('abcd…');
    for (const bad of ['', 'short', 'has space in it here', '../../etc/passwd', 'x'.repeat(129)]) expect(looksLikeCode(bad)).toBe(false);
  });

  it('SecretBox: round trip; tampering, another row (AAD) or another key all fail', () => {
    const key = randomBytes(32);
    const box = new SecretBox(key);
    const sealed = box.seal('corp-secret-value', 'row-1');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('corp-secret-value');
    expect(box.open(sealed, 'row-1')).toBe('corp-secret-value');
    expect(box.seal('corp-secret-value', 'row-1')).not.toBe(sealed); // fresh IV each time
    expect(() => box.open(sealed, 'row-2')).toThrow(/WXNOTIFY_SECRET_KEY/);
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'row-1')).toThrow(/WXNOTIFY_SECRET_KEY/);
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join('.'), 'row-1')).toThrow();
    expect(() => new SecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });

  it('secret key: hex or base64 from the env, else generated once into the data dir (0600) with a warning', () => {
    expect(parseSecretKey('ab'.repeat(32))).toHaveLength(32);
    expect(parseSecretKey(randomBytes(32).toString('base64'))).toHaveLength(32);
    expect(() => parseSecretKey('too-short')).toThrow(/32 bytes/);
    const dir = mkdtempSync(join(tmpdir(), 'wxnotify-key-'));
    const lines: string[] = [];
    const logger = new GatewayLogger('info', (l) => lines.push(l));
    try {
      const first = loadSecretKey(undefined, dir, logger);
      expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
      expect(loadSecretKey(undefined, dir, logger).equals(first)).toBe(true);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/"level":"warn".*WXNOTIFY_SECRET_KEY is not set/);
      expect(lines[0]).not.toContain(first.toString('base64url'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('password: scrypt hash verifies the right password only', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
  });

  it('logger: redacts registered secrets, Codes in paths and secret-named fields', () => {
    const lines: string[] = [];
    const logger = new GatewayLogger('debug', (l) => lines.push(l));
    logger.addSecret('gewe-token-123456');
    logger.info('call failed with gewe-token-123456', { path: '/api/notify/AbCdEfGh1234567890abcdefGHIJKLmn', token: 'anything', count: 3, nested: { url: 'https://x/y?access_token=abc123' } });
    logger.debug('hidden?');
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ level: 'info', msg: 'call failed with ***', path: '/api/notify/***', token: '***', count: 3, nested: { url: 'https://x/y?access_token=***' } });
    expect(lines).toHaveLength(2);
    const quiet: string[] = [];
    const warnOnly = new GatewayLogger('warn', (l) => quiet.push(l));
    warnOnly.info('dropped');
    warnOnly.warn('kept');
    expect(quiet.map((l) => JSON.parse(l).msg)).toEqual(['kept']);
  });

  it('rate limiter: fixed window with Retry-After, per key', () => {
    let now = 1_000_000;
    const limiter = new WindowRateLimiter(() => now);
    expect(limiter.take('a', 2).allowed).toBe(true);
    expect(limiter.take('a', 2).allowed).toBe(true);
    const denied = limiter.take('a', 2);
    expect(denied).toEqual({ allowed: false, retryAfterSeconds: 60, remaining: 0 });
    expect(limiter.take('b', 2).allowed).toBe(true);
    now += 45_000;
    expect(limiter.take('a', 2).retryAfterSeconds).toBe(15);
    now += 15_000;
    expect(limiter.take('a', 2).allowed).toBe(true);
  });

  it('config: defaults, gewechat channel from env, channels file, and clear errors', () => {
    const base = loadConfig({});
    expect(base).toMatchObject({ port: 8080, host: '127.0.0.1', bodyLimitBytes: 65536, codeRatePerMinute: 60, notifyAuth: 'api-key', channels: {} });
    expect(base.wechatChannel).toBeUndefined();
    const wechat = loadConfig({ GEWECHAT_BASE_URL: 'http://g/v2/api', GEWECHAT_TOKEN: 't', GEWECHAT_APP_ID: 'a', GEWECHAT_RATE_LIMIT: 'off', WXNOTIFY_BODY_LIMIT: '1mb' });
    expect(wechat.channels.wechat).toEqual({ type: 'gewechat', baseUrl: 'http://g/v2/api', token: 't', appId: 'a', rateLimit: false });
    expect(wechat).toMatchObject({ wechatChannel: 'wechat', bodyLimitBytes: 1024 * 1024 });
    const dir = mkdtempSync(join(tmpdir(), 'wxnotify-cfg-'));
    try {
      const file = join(dir, 'channels.json');
      writeFileSync(file, JSON.stringify({ ops: { type: 'wecom-bot', key: 'k' }, me: { type: 'gewechat', baseUrl: 'http://x', token: 't', appId: 'a' } }));
      expect(loadConfig({ WXNOTIFY_CHANNELS_FILE: file })).toMatchObject({ wechatChannel: 'me', channels: { ops: { type: 'wecom-bot' } } });
      writeFileSync(file, JSON.stringify({ 'bad name!': { type: 'wecom-bot' } }));
      expect(() => loadConfig({ WXNOTIFY_CHANNELS_FILE: file })).toThrow(ConfigError);
      writeFileSync(file, '{oops');
      expect(() => loadConfig({ WXNOTIFY_CHANNELS_FILE: file })).toThrow(/Cannot read WXNOTIFY_CHANNELS_FILE/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT must be an integer/);
    expect(() => loadConfig({ WXNOTIFY_NOTIFY_AUTH: 'maybe' })).toThrow(/api-key or none/);
    expect(() => loadConfig({ GEWECHAT_RATE_LIMIT: '-1', GEWECHAT_BASE_URL: 'http://g' })).toThrow(/GEWECHAT_RATE_LIMIT/);
  });
});

describe('start-up errors', () => {
  it('a bad named channel rejects the start with a readable error that names no secret', async () => {
    const { startTestGateway } = await import('./support/test-gateway.js');
    const start = startTestGateway({ extraChannels: () => ({ ops: { type: 'wecom-app', corpId: 'ww1', corpSecret: 'SUPERSECRET-VALUE-1', agentId: 'abc' } as never }) });
    await expect(start).rejects.toThrow(/channels\.ops \(wecom-app\).*agentId: must be an integer/s);
    await start.catch((error: Error) => expect(error.message).not.toContain('SUPERSECRET-VALUE-1'));
  });
});
