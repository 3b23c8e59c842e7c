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

/** What `reserve()` got: `granted` units (0 = none), else `waitMs` until `min` units could be granted. */
export interface Reservation {
  granted: number;
  waitMs: number;
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
  /**
   * Quota budgets (per member, per robot, ...): atomically takes the same number of units, at
   * least `min` and at most `max`, from every key under every rule, or nothing at all. Never
   * waits. In-memory limiters answer synchronously (the hot path stays a plain function call);
   * shared ones (Redis) answer with a promise. Limiters without it get a per-process budget.
   */
  reserve?(keys: readonly string[], rules: readonly RateRule[], min: number, max: number): Reservation | Promise<Reservation>;
}

interface KeyState {
  /** Start times, oldest first, from `head` on (entries before `head` have left every window). */
  times: number[];
  head: number;
  /** The longest window this key was used with: entries are kept that long. */
  retainMs: number;
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
    prune(state, now, rule.windowMs);
    if (inWindow(state, now, rule.windowMs) >= rule.limit) return false;
    state.times.push(now);
    return true;
  }

  async acquire(key: string, rule: RateRule, signal?: AbortSignal): Promise<void> {
    while (!signal?.aborted && !this.tryAcquire(key, rule)) await this.clock.sleep(this.waitMs(this.state(key), rule, 1), signal);
  }

  delayMs(key: string, rule: RateRule): number {
    const state = this.keys.get(key);
    if (!state) return 0;
    const now = this.clock.now();
    if (state.blockedUntil > now) return state.blockedUntil - now;
    if (rule.limit === Infinity) return 0;
    return inWindow(state, now, rule.windowMs) < rule.limit ? 0 : this.waitMs(state, rule, 1);
  }

  reserve(keys: readonly string[], rules: readonly RateRule[], min: number, max: number): Reservation {
    const now = this.clock.now();
    let granted = max;
    let waitMs = 0;
    // A single key (one member, one robot) is the common case: no array of states.
    const states: KeyState[] = keys.length === 1 ? [this.state(keys[0])] : keys.map((key) => this.state(key));
    for (const state of states) {
      if (state.blockedUntil > now) {
        granted = 0;
        waitMs = Math.max(waitMs, state.blockedUntil - now);
      }
      for (const rule of rules) {
        if (rule.limit === Infinity) continue;
        prune(state, now, rule.windowMs);
        const room = rule.limit - inWindow(state, now, rule.windowMs);
        if (room < granted) granted = Math.max(0, room);
        if (room < min) waitMs = Math.max(waitMs, this.waitMs(state, rule, min));
      }
    }
    if (granted < min) return { granted: 0, waitMs: Math.max(waitMs, 1) };
    for (const state of states) for (let i = 0; i < granted; i++) state.times.push(now);
    return { granted, waitMs: 0 };
  }

  /** How long until `units` calls may start: the rest of a block, or until enough starts leave the window. */
  private waitMs(state: KeyState, rule: RateRule, units: number): number {
    const now = this.clock.now();
    let waitWindow = 0;
    if (rule.limit !== Infinity) {
      const first = state.times.length - inWindow(state, now, rule.windowMs);
      const over = state.times.length - first + units - rule.limit;
      // The `over`-th oldest start inside the window has to leave it first.
      if (over > 0) waitWindow = state.times[first + over - 1] + rule.windowMs - now;
    }
    return Math.max(state.blockedUntil - now, waitWindow, 1);
  }

  async block(key: string, untilMs: number): Promise<void> {
    const state = this.state(key);
    state.blockedUntil = Math.max(state.blockedUntil, untilMs);
  }

  private state(key: string): KeyState {
    let state = this.keys.get(key);
    if (!state) {
      state = { times: [], head: 0, retainMs: 0, blockedUntil: 0 };
      this.keys.set(key, state);
    }
    return state;
  }
}

/** Drops starts older than the longest window the key was used with (compacting now and then). */
function prune(state: KeyState, now: number, windowMs: number): void {
  if (windowMs > state.retainMs) state.retainMs = windowMs;
  const { times } = state;
  let head = state.head;
  while (head < times.length && times[head] <= now - state.retainMs) head++;
  if (head > 64 && head * 2 > times.length) {
    times.splice(0, head);
    head = 0;
  }
  state.head = head;
}

/** Starts inside the last `windowMs` (binary search: the log is sorted by time). */
function inWindow(state: KeyState, now: number, windowMs: number): number {
  const { times } = state;
  const since = now - windowMs;
  let lo = state.head;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] <= since) lo = mid + 1;
    else hi = mid;
  }
  return times.length - lo;
}
