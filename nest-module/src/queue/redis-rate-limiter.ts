import { randomUUID } from 'node:crypto';
import { secretKeyHash, systemClock, type Clock, type RateLimiter, type RateRule, type Reservation } from '@wxnotify/core';
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

/**
 * Quota budgets: takes between ARGV[1] (min) and ARGV[2] (max) units from every key, under every
 * rule, or nothing, in one atomic step on the server clock. KEYS come in pairs (budget zset, block
 * key); ARGV[3] is the rule count, then limit/window pairs, then a unique member prefix.
 * Returns {granted, 0}, or {0, ms until min units could be granted}.
 */
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local min = tonumber(ARGV[1])
local max = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local longest = 0
for r = 1, n do
  local window = tonumber(ARGV[3 + 2 * r])
  if window > longest then longest = window end
end
local member = ARGV[4 + 2 * n]
local granted = max
local wait = 0
local keyPairs = #KEYS / 2
for k = 1, keyPairs do
  local budget = KEYS[2 * k - 1]
  local blocked = tonumber(redis.call('GET', KEYS[2 * k]) or '0')
  if blocked > now then
    granted = 0
    if blocked - now > wait then wait = blocked - now end
  end
  redis.call('ZREMRANGEBYSCORE', budget, '-inf', now - longest)
  for r = 1, n do
    local limit = tonumber(ARGV[2 + 2 * r])
    local window = tonumber(ARGV[3 + 2 * r])
    local count = redis.call('ZCOUNT', budget, '(' .. (now - window), '+inf')
    local room = limit - count
    if room < granted then granted = math.max(0, room) end
    if room < min then
      local entry = redis.call('ZRANGEBYSCORE', budget, '(' .. (now - window), '+inf', 'WITHSCORES', 'LIMIT', count + min - limit - 1, 1)
      if entry[2] then
        local free = tonumber(entry[2]) + window - now
        if free > wait then wait = free end
      end
    end
  end
end
if granted < min then return {0, math.max(wait, 1)} end
for k = 1, keyPairs do
  local budget = KEYS[2 * k - 1]
  for i = 1, granted do redis.call('ZADD', budget, now, member .. ':' .. i) end
  redis.call('PEXPIRE', budget, longest)
end
return {granted, 0}`;

type ScriptRedis = Redis & {
  wxnotifyRateAcquire(windowKey: string, blockKey: string, limit: number, windowMs: number, member: string): Promise<number>;
  wxnotifyRateBlock(blockKey: string, waitMs: number): Promise<number>;
  wxnotifyQuotaReserve(...keysAndArgs: Array<string | number>): Promise<[number, number]>;
};

export interface RedisRateLimiterOptions {
  prefix?: string;
  clock?: Clock;
}

/**
 * Core `RateLimiter` on Redis: per-robot and per-app limits and the channels' quota budgets (per
 * member, per robot) hold across every worker process. Like the in-memory limiter it paces
 * (waits) instead of failing; `reserve` is one atomic Lua step over every key of a send. Keys of
 * one `reserve` are several Redis keys: use a single Redis node (or one cluster slot via `prefix`
 * with a {hash tag}).
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
    if (!('wxnotifyQuotaReserve' in redis)) redis.defineCommand('wxnotifyQuotaReserve', { lua: RESERVE });
  }

  async acquire(key: string, rule: RateRule, signal?: AbortSignal): Promise<void> {
    const member = randomUUID();
    // An unbounded rule (quota-gated channels) only sits out blocks: nothing to count.
    if (rule.limit === Infinity) {
      while (!signal?.aborted) {
        const waitMs = Number(await this.redis.pttl(this.blockKey(key)));
        if (waitMs <= 0) return;
        await this.clock.sleep(waitMs, signal);
      }
      return;
    }
    while (!signal?.aborted) {
      const waitMs = Number(await this.redis.wxnotifyRateAcquire(this.windowKey(key), this.blockKey(key), rule.limit, rule.windowMs, member));
      if (waitMs <= 0) return;
      await this.clock.sleep(waitMs, signal);
    }
  }

  async reserve(keys: readonly string[], rules: readonly RateRule[], min: number, max: number): Promise<Reservation> {
    const bounded = rules.filter((rule) => rule.limit !== Infinity);
    const redisKeys = keys.flatMap((key) => [this.budgetKey(key), this.blockKey(key)]);
    const args = [min, max, bounded.length, ...bounded.flatMap((rule) => [rule.limit, rule.windowMs]), randomUUID()];
    const [granted, waitMs] = await this.redis.wxnotifyQuotaReserve(redisKeys.length, ...redisKeys, ...args);
    return { granted: Number(granted), waitMs: Number(waitMs) };
  }

  async block(key: string, untilMs: number): Promise<void> {
    const waitMs = Math.ceil(untilMs - this.clock.now());
    if (waitMs > 0) await this.redis.wxnotifyRateBlock(this.blockKey(key), waitMs);
  }

  private windowKey(key: string): string {
    return `${this.prefix}:rate:${hashKey(key)}`;
  }

  private budgetKey(key: string): string {
    return `${this.prefix}:quota:${hashKey(key)}`;
  }

  private blockKey(key: string): string {
    return `${this.prefix}:rate-block:${hashKey(key)}`;
  }
}

/** Keys may embed credentials (robot keys): only a digest goes into Redis key names. */
const hashKey = (key: string): string => secretKeyHash(key, 32);
