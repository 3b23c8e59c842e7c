import { randomUUID } from 'node:crypto';
import { secretKeyHash, systemClock, type CachedToken, type Clock, type TokenStore } from '@wxnotify/core';
import type { Redis } from 'ioredis';

const DELETE_IF_VALUE = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local ok, token = pcall(cjson.decode, current)
if ok and type(token) == 'table' and token.value == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface RedisTokenStoreOptions {
  /** Key prefix. Default `wxnotify`. */
  prefix?: string;
  /** Lock lifetime: a crashed holder blocks others at most this long. Default 10000 ms. */
  lockTtlMs?: number;
  /** Poll interval while waiting for another process's lock. Default 50 ms. */
  lockPollMs?: number;
  clock?: Clock;
}

type ScriptRedis = Redis & {
  wxnotifyTokenDeleteIf(key: string, value: string): Promise<number>;
  wxnotifyLockRelease(key: string, owner: string): Promise<number>;
};

/**
 * Core `TokenStore` on Redis, so every worker process shares one WeCom token per app.
 * `deleteIf` is compare-and-delete (Lua), and `withLock` is a cross-process single flight:
 * SET NX PX to take the lock, compare-and-delete (Lua) to release only our own lock.
 */
export class RedisTokenStore implements TokenStore {
  private readonly redis: ScriptRedis;
  private readonly prefix: string;
  private readonly lockTtlMs: number;
  private readonly lockPollMs: number;
  private readonly clock: Clock;

  constructor(redis: Redis, options: RedisTokenStoreOptions = {}) {
    this.redis = redis as ScriptRedis;
    this.prefix = options.prefix ?? 'wxnotify';
    this.lockTtlMs = options.lockTtlMs ?? 10_000;
    this.lockPollMs = options.lockPollMs ?? 50;
    this.clock = options.clock ?? systemClock;
    if (!('wxnotifyTokenDeleteIf' in redis)) {
      redis.defineCommand('wxnotifyTokenDeleteIf', { numberOfKeys: 1, lua: DELETE_IF_VALUE });
      redis.defineCommand('wxnotifyLockRelease', { numberOfKeys: 1, lua: RELEASE_LOCK });
    }
  }

  async get(key: string): Promise<CachedToken | undefined> {
    const raw = await this.redis.get(this.tokenKey(key));
    if (!raw) return undefined;
    try {
      const token = JSON.parse(raw) as CachedToken;
      return typeof token.value === 'string' && typeof token.expiresAt === 'number' ? token : undefined;
    } catch {
      return undefined;
    }
  }

  async set(key: string, token: CachedToken): Promise<void> {
    const ttl = Math.max(1, Math.ceil(token.expiresAt - this.clock.now()));
    await this.redis.set(this.tokenKey(key), JSON.stringify(token), 'PX', ttl);
  }

  async deleteIf(key: string, value: string): Promise<void> {
    await this.redis.wxnotifyTokenDeleteIf(this.tokenKey(key), value);
  }

  async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const lockKey = `${this.prefix}:token-lock:${hashKey(key)}`;
    const owner = randomUUID();
    const giveUpAt = this.clock.now() + this.lockTtlMs;
    for (;;) {
      const taken = await this.redis.set(lockKey, owner, 'PX', this.lockTtlMs, 'NX');
      if (taken === 'OK') break;
      // The holder's lock expires by itself; past that, go ahead (fn re-reads the store first).
      if (this.clock.now() >= giveUpAt) return fn();
      await this.clock.sleep(this.lockPollMs);
    }
    try {
      return await fn();
    } finally {
      await this.redis.wxnotifyLockRelease(lockKey, owner).catch(() => undefined);
    }
  }

  private tokenKey(key: string): string {
    return `${this.prefix}:token:${hashKey(key)}`;
  }
}

/** Keys may embed credentials (robot keys): only a digest goes into Redis key names. */
const hashKey = (key: string): string => secretKeyHash(key, 32);
