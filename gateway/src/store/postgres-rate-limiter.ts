import { secretKeyHash, systemClock, type Clock, type RateLimiter, type RateRule, type Reservation } from '@wxnotify/core';
import type { PostgresDriver } from './postgres-driver.js';

/** The database server's clock (ms): one clock for every replica, whatever theirs say. */
const DB_NOW = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

/**
 * Up to n units on one key in a single statement (the request limits' case; n > 1 when takes were
 * grouped). A fixed window starts at the first call. With c the count before and L the limit, the
 * count becomes LEAST(c + n, GREATEST(c, L + n)): c + n while c < L, so granted =
 * n - max(0, count - L) = min(n, L - c); from c >= L on it is at least L + n, so granted = 0. It
 * never drops (a lower limit does not forget units already granted: raised again, it grants only
 * the difference) and grows past L + n no further, however many calls are refused.
 * No row comes back while the key is blocked.
 */
const TAKE_UP_TO = `
INSERT INTO rate_windows AS w (key, window_start, count)
SELECT ?, ${DB_NOW}, ?::integer
WHERE NOT EXISTS (SELECT 1 FROM rate_windows b WHERE b.key = ? AND b.window_start > ${DB_NOW})
ON CONFLICT (key) DO UPDATE SET
  window_start = CASE WHEN w.window_start <= excluded.window_start - ? THEN excluded.window_start ELSE w.window_start END,
  count = CASE WHEN w.window_start <= excluded.window_start - ? THEN excluded.count ELSE LEAST(w.count + excluded.count, GREATEST(w.count, ?::integer + excluded.count)) END
RETURNING GREATEST(0, ?::integer - GREATEST(0, count - ?::integer)) AS granted, w.window_start + ? - ${DB_NOW} AS wait_ms`;

const BLOCKED_FOR = `SELECT window_start - ${DB_NOW} AS wait_ms FROM rate_windows WHERE key = ? AND window_start > ${DB_NOW}`;

/**
 * Core `RateLimiter` on the Postgres the replicas already share (table `rate_windows`, unlogged:
 * a crash only resets the windows). Fixed windows that start at a key's first call, timed by the
 * database server. `reserve` never waits: the gateway's request limits answer 429 from it.
 */
export class PostgresRateLimiter implements RateLimiter {
  constructor(
    private readonly db: PostgresDriver,
    private readonly clock: Clock = systemClock,
  ) {}

  async reserve(keys: readonly string[], rules: readonly RateRule[], min: number, max: number): Promise<Reservation> {
    const bounded = rules.filter((rule) => rule.limit !== Infinity);
    if (keys.length === 1 && bounded.length === 1 && rules.length === 1 && min === 1 && Number.isSafeInteger(max) && max >= 1) return this.takeUpTo(keys[0]!, bounded[0]!, max);
    return this.db.transaction((tx) => this.reserveIn(tx, keys, bounded, min, max));
  }

  async acquire(key: string, rule: RateRule, signal?: AbortSignal): Promise<void> {
    while (!signal?.aborted) {
      const { granted, waitMs } = await this.reserve([key], [rule], 1, 1);
      if (granted > 0) return;
      await this.clock.sleep(waitMs, signal);
    }
  }

  async block(key: string, untilMs: number): Promise<void> {
    const waitMs = Math.ceil(untilMs - this.clock.now());
    if (waitMs <= 0) return;
    await this.db.run(
      `INSERT INTO rate_windows AS w (key, window_start, count) VALUES (?, ${DB_NOW} + ?, 0)
       ON CONFLICT (key) DO UPDATE SET window_start = GREATEST(w.window_start, excluded.window_start)`,
      [blockKey(key), waitMs],
    );
  }

  /** Between 1 and `n` units of one key under one rule, as many as there is room for. */
  private async takeUpTo(key: string, rule: RateRule, n: number): Promise<Reservation> {
    const { windowMs, limit } = rule;
    const [row] = await this.db.all<{ granted: number; wait_ms: string }>(TAKE_UP_TO, [windowKey(key, windowMs), n, blockKey(key), windowMs, windowMs, limit, n, limit, windowMs]);
    if (row) return Number(row.granted) > 0 ? { granted: Number(row.granted), waitMs: 0 } : { granted: 0, waitMs: Math.max(1, Number(row.wait_ms)) };
    const [blocked] = await this.db.all<{ wait_ms: string }>(BLOCKED_FOR, [blockKey(key)]);
    return { granted: 0, waitMs: Math.max(1, Number(blocked?.wait_ms ?? 1)) };
  }

  /** Every key under every rule, or nothing: rows locked in key order (no deadlocks between replicas). */
  private async reserveIn(tx: PostgresDriver, keys: readonly string[], rules: readonly RateRule[], min: number, max: number): Promise<Reservation> {
    const [{ now }] = await tx.all<{ now: string }>(`SELECT ${DB_NOW} AS now`);
    const t = Number(now);
    let waitMs = 0;
    for (const key of keys) {
      const [blocked] = await tx.all<{ wait_ms: string }>(BLOCKED_FOR, [blockKey(key)]);
      if (blocked) waitMs = Math.max(waitMs, Number(blocked.wait_ms));
    }
    if (waitMs > 0) return { granted: 0, waitMs };
    const windows = keys.flatMap((key) => rules.map((rule) => ({ key: windowKey(key, rule.windowMs), rule }))).sort((a, b) => (a.key < b.key ? -1 : 1));
    let granted = max;
    const states: Array<{ key: string; rule: RateRule; fresh: boolean; count: number; start: number }> = [];
    for (const { key, rule } of windows) {
      await tx.run('INSERT INTO rate_windows (key, window_start, count) VALUES (?, ?, 0) ON CONFLICT (key) DO NOTHING', [key, t]);
      const [row] = await tx.all<{ window_start: string; count: number }>('SELECT window_start, count FROM rate_windows WHERE key = ? FOR UPDATE', [key]);
      const start = Number(row!.window_start);
      const fresh = start <= t - rule.windowMs;
      const count = fresh ? 0 : Number(row!.count);
      const room = Math.max(0, rule.limit - count);
      if (room < granted) granted = room;
      if (room < min) waitMs = Math.max(waitMs, start + rule.windowMs - t);
      states.push({ key, rule, fresh, count, start });
    }
    if (granted < min) return { granted: 0, waitMs: Math.max(1, waitMs) };
    for (const s of states) await tx.run('UPDATE rate_windows SET window_start = ?, count = ? WHERE key = ?', [s.fresh ? t : s.start, s.count + granted, s.key]);
    return { granted, waitMs: 0 };
  }
}

/** Keys may embed credentials (robot keys): only a digest goes into the table, as with Redis. */
const windowKey = (key: string, windowMs: number): string => `${secretKeyHash(key, 32)}|${windowMs}`;
const blockKey = (key: string): string => `${secretKeyHash(key, 32)}|block`;
