import { systemClock, TokenCache } from '@wxnotify/core';
import { Redis } from 'ioredis';
import { RedisRateLimiter, RedisTokenStore } from '../../nest-module/src/queue/index.js';
import { describeWithRedis, redisCli, TestRedis } from './support/redis';

describeWithRedis('Redis token store and rate limiter (shared across processes)', () => {
  let redis: TestRedis;
  let clients: Redis[] = [];
  let n = 0;

  beforeAll(async () => {
    redis = await TestRedis.start();
  });

  afterAll(async () => {
    await redis.stop();
  });

  afterEach(async () => {
    await Promise.all(clients.map((c) => c.quit()));
    clients = [];
  });

  const client = (): Redis => {
    const c = new Redis(redis.connection);
    clients.push(c);
    return c;
  };
  const prefix = (): string => `t${process.pid}n${++n}`;

  it('fetches one token for many concurrent callers in two "processes" (SET NX PX lock)', async () => {
    const p = prefix();
    let fetches = 0;
    const fetch = async () => {
      fetches++;
      await new Promise((r) => setTimeout(r, 50));
      return { value: `token-${fetches}`, expiresInSeconds: 7200 };
    };
    const processA = new TokenCache(new RedisTokenStore(client(), { prefix: p }), systemClock);
    const processB = new TokenCache(new RedisTokenStore(client(), { prefix: p }), systemClock);
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? processA : processB).get('corp:agent', fetch)));
    expect(fetches).toBe(1);
    expect(new Set(tokens)).toEqual(new Set(['token-1']));
    // Key names carry a digest, never the raw key (robot keys are secrets).
    expect(redisCli(redis, 'KEYS', `${p}:*`)).not.toContain('corp:agent');
    // The lock was released by its owner.
    expect(redisCli(redis, 'KEYS', `${p}:token-lock:*`)).toBe('');
  });

  it('deleteIf only removes the token it names (compare-and-delete)', async () => {
    const store = new RedisTokenStore(client(), { prefix: prefix() });
    await store.set('k', { value: 'fresh', expiresAt: Date.now() + 60_000 });
    await store.deleteIf('k', 'stale');
    expect((await store.get('k'))?.value).toBe('fresh');
    await store.deleteIf('k', 'fresh');
    expect(await store.get('k')).toBeUndefined();
  });

  it('a refresh after a rejected token fetches once across processes and keeps the new token', async () => {
    const p = prefix();
    let fetches = 0;
    const fetch = async () => ({ value: `token-${++fetches}`, expiresInSeconds: 7200 });
    const a = new TokenCache(new RedisTokenStore(client(), { prefix: p }), systemClock);
    const b = new TokenCache(new RedisTokenStore(client(), { prefix: p }), systemClock);
    expect(await a.get('k', fetch)).toBe('token-1');
    const refreshed = await Promise.all([a.refresh('k', 'token-1', fetch), b.refresh('k', 'token-1', fetch)]);
    expect(refreshed).toEqual(['token-2', 'token-2']);
    expect(fetches).toBe(2);
  });

  it('holds a sliding-window limit across two limiter instances', async () => {
    const p = prefix();
    const limiters = [new RedisRateLimiter(client(), { prefix: p }), new RedisRateLimiter(client(), { prefix: p })];
    const rule = { limit: 4, windowMs: 200 };
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        await limiters[i % 2].acquire('robot-key', rule);
        starts.push(Date.now());
      }),
    );
    starts.sort((x, y) => x - y);
    expect(starts).toHaveLength(12);
    // No window of windowMs (minus clock jitter) holds more than `limit` starts.
    for (let i = rule.limit; i < starts.length; i++) expect(starts[i] - starts[i - rule.limit]).toBeGreaterThanOrEqual(rule.windowMs - 15);
  });

  it('block() holds every instance until the upstream window has passed', async () => {
    const p = prefix();
    const [a, b] = [new RedisRateLimiter(client(), { prefix: p }), new RedisRateLimiter(client(), { prefix: p })];
    const until = Date.now() + 150;
    await a.block('app', until);
    await b.acquire('app', { limit: 100, windowMs: 1000 });
    expect(Date.now()).toBeGreaterThanOrEqual(until - 15);
  });
});
