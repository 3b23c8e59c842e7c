import { randomUUID } from 'node:crypto';
import { secretKeyHash, systemClock, type Clock, type RateLimiter, type RateRule } from '@wxnotify/core';
import type { Redis } from 'ioredis';

/**
 * Sliding window on a sorted set, timed by the Redis server clock (one clock for every worker).
 * Returns 0 when a slot was taken, otherwise the ms to wait before trying again.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local blocked = tonumber(redis.call('GET', KEYS[2]) or '0')
if blocked > now then return blocked - now end
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)`;

/** Holds the key for ARGV[1] ms from now (server clock), never shortening an existing block. */
const BLOCK = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilMs = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMs > current then redis.call('SET', KEYS[1], untilMs, 'PX', tonumber(ARGV[1])) end
return 0`;

type ScriptRedis = Redis & {
  wxnotifyRateAcquire(windowKey: string, blockKey: string, limit: number, windowMs: number, member: string): Promise<number>;
  wxnotifyRateBlock(blockKey: string, waitMs: number): Promise<number>;
};

export interface RedisRateLimiterOptions {
  prefix?: string;
  clock?: Clock;
}

/**
 * Core `RateLimiter` on Redis: per-robot and per-app limits hold across every worker process.
 * Like the in-memory limiter it paces (waits) instead of failing.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: ScriptRedis;
  private readonly prefix: string;
  private readonly clock: Clock;

  constructor(redis: Redis, options: RedisRateLimiterOptions = {}) {
    this.redis = redis as ScriptRedis;
    this.prefix = options.prefix ?? 'wxnotify';
    this.clock = options.clock ?? systemClock;
    if (!('wxnotifyRateAcquire' in redis)) {
      redis.defineCommand('wxnotifyRateAcquire', { numberOfKeys: 2, lua: ACQUIRE });
      redis.defineCommand('wxnotifyRateBlock', { numberOfKeys: 1, lua: BLOCK });
    }
  }

  async acquire(key: string, rule: RateRule, signal?: AbortSignal): Promise<void> {
    const member = randomUUID();
    while (!signal?.aborted) {
      const waitMs = Number(await this.redis.wxnotifyRateAcquire(this.windowKey(key), this.blockKey(key), rule.limit, rule.windowMs, member));
      if (waitMs <= 0) return;
      await this.clock.sleep(waitMs, signal);
    }
  }

  async block(key: string, untilMs: number): Promise<void> {
    const waitMs = Math.ceil(untilMs - this.clock.now());
    if (waitMs > 0) await this.redis.wxnotifyRateBlock(this.blockKey(key), waitMs);
  }

  private windowKey(key: string): string {
    return `${this.prefix}:rate:${hashKey(key)}`;
  }

  private blockKey(key: string): string {
    return `${this.prefix}:rate-block:${hashKey(key)}`;
  }
}

/** Keys may embed credentials (robot keys): only a digest goes into Redis key names. */
const hashKey = (key: string): string => secretKeyHash(key, 32);
