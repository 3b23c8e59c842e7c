import type { Clock } from './clock';

/** At most `limit` calls per `windowMs` for one key (a robot key, an app token, ...). `limit: Infinity` = no pacing, blocks only. */
export interface RateRule {
  limit: number;
  windowMs: number;
}

/** Whether a configured rule allows at least one call per window of at least 1 ms. */
export function isUsableRateRule(rule: RateRule): boolean {
  return rule.limit >= 1 && rule.windowMs >= 1;
}

/**
 * Paces calls per key instead of failing them. A shared implementation (Redis) makes the limit
 * hold across processes; the in-memory one serves a single process.
 */
export interface RateLimiter {
  /**
   * Resolves when a call may start; never rejects because of the limit. An abort of `signal` may
   * end the wait early, without counting a call (callers check `signal.aborted`).
   */
  acquire(key: string, rule: RateRule, signal?: AbortSignal): Promise<void>;
  /**
   * Optional synchronous fast path: counts the call and returns true when it may start now,
   * returns false (counting nothing) when the caller must `acquire()` instead.
   */
  tryAcquire?(key: string, rule: RateRule): boolean;
  /** The upstream said "too many calls": hold every call on `key` until `untilMs` (epoch ms). */
  block(key: string, untilMs: number): Promise<void>;
  /** Optional: how long (ms) until a call on `key` could start, 0 when now. Lets a bounded caller fail fast instead of waiting. */
  delayMs?(key: string, rule: RateRule): number;
}

interface KeyState {
  starts: number[];
  blockedUntil: number;
}

export class MemoryRateLimiter implements RateLimiter {
  private readonly keys = new Map<string, KeyState>();

  constructor(private readonly clock: Clock) {}

  tryAcquire(key: string, rule: RateRule): boolean {
    const state = this.state(key);
    // An unbounded rule only honours `block()` (e.g. WeCom apps: no pacing, but sit out a 45009).
    const unbounded = rule.limit === Infinity;
    if (unbounded && state.blockedUntil === 0) return true;
    const now = this.clock.now();
    if (state.blockedUntil > now) return false;
    if (unbounded) return true;
    while (state.starts.length > 0 && state.starts[0] <= now - rule.windowMs) state.starts.shift();
    if (state.starts.length >= rule.limit) return false;
    state.starts.push(now);
    return true;
  }

  async acquire(key: string, rule: RateRule, signal?: AbortSignal): Promise<void> {
    while (!signal?.aborted && !this.tryAcquire(key, rule)) await this.clock.sleep(this.waitMs(this.state(key), rule), signal);
  }

  delayMs(key: string, rule: RateRule): number {
    const state = this.keys.get(key);
    if (!state) return 0;
    const now = this.clock.now();
    if (state.blockedUntil > now) return state.blockedUntil - now;
    if (rule.limit === Infinity) return 0;
    const live = state.starts.filter((t) => t > now - rule.windowMs);
    return live.length >= rule.limit ? live[live.length - rule.limit]! + rule.windowMs - now : 0;
  }

  /** How long until a call may start: the rest of a block, or until the oldest start leaves the window. */
  private waitMs(state: KeyState, rule: RateRule): number {
    const now = this.clock.now();
    const waitWindow = rule.limit !== Infinity && state.starts.length >= rule.limit ? state.starts[0] + rule.windowMs - now : 0;
    return Math.max(state.blockedUntil - now, waitWindow, 1);
  }

  async block(key: string, untilMs: number): Promise<void> {
    const state = this.state(key);
    state.blockedUntil = Math.max(state.blockedUntil, untilMs);
  }

  private state(key: string): KeyState {
    let state = this.keys.get(key);
    if (!state) {
      state = { starts: [], blockedUntil: 0 };
      this.keys.set(key, state);
    }
    return state;
  }
}
