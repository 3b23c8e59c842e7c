import type { RateLimiter, RateRule } from '@wxnotify/core';
import { StoreUnavailableError } from '../store/sql-driver.js';
import type { RateDecision } from './rate-limit.js';

/** A core RateLimiter that can take units without waiting (Postgres, Redis): the shared limits need no more. */
export type ReservingLimiter = RateLimiter & Required<Pick<RateLimiter, 'reserve'>>;

/**
 * The gateway's request limits (per Code, per API key, unknown Codes per address, logins): 429 at
 * once when spent. The embedded store uses WindowRateLimiter (in memory, synchronous: one process
 * is the whole deployment); replicas use SharedRequestLimits, so a limit holds for all of them.
 */
export interface RequestLimits {
  take(key: string, limit: number, windowMs?: number): RateDecision | Promise<RateDecision>;
}

interface Waiter {
  resolve(decision: RateDecision): void;
  reject(error: unknown): void;
}

/** The takes on one key + rule while a round trip for it is in flight. */
interface Group {
  key: string;
  rule: RateRule;
  waiting: Waiter[];
}

const ALLOWED: RateDecision = { allowed: true, retryAfterSeconds: 0, remaining: -1 }; // -1: not known here (nothing reads it)
const refused = (waitMs: number): RateDecision => ({ allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)), remaining: 0 });
/** Refusals remembered beyond this many keys are swept of the expired ones. */
const REFUSALS_SWEEP_AT = 1000;

/**
 * Request limits over a shared core RateLimiter, exact across replicas, with group commit: a take
 * on a key with no round trip in flight goes straight out (one unit; no timer, no added wait).
 * Takes on that key arriving meanwhile queue up; when the answer is back, ONE `reserve` asks for
 * all of them (granted = min(queued, room)), handed out first come. When only part was granted,
 * the rest ask again at once (a new window may have opened) and learn their Retry-After there. A
 * refusal is remembered until the time the store named, counted from when the question was sent
 * (so never later than the limit really frees): takes meanwhile are refused without a round trip.
 */
export class SharedRequestLimits implements RequestLimits {
  private readonly groups = new Map<string, Group>();
  private readonly refusedUntil = new Map<string, number>();

  constructor(
    private readonly limiter: ReservingLimiter,
    private readonly prefix = 'gateway',
    /** Named in the 503 when the counters cannot be reached (the store's own errors say more). */
    private readonly where?: string,
    /** A monotonic clock (ms) for remembered refusals. */
    private readonly now: () => number = () => performance.now(),
  ) {}

  take(key: string, limit: number, windowMs = 60_000): Promise<RateDecision> {
    const id = `${limit}|${windowMs}|${key}`;
    const until = this.refusedUntil.get(id);
    if (until !== undefined) {
      const waitMs = until - this.now();
      if (waitMs > 0) return Promise.resolve(refused(waitMs));
      this.refusedUntil.delete(id);
    }
    return new Promise((resolve, reject) => {
      const group = this.groups.get(id);
      if (group) {
        group.waiting.push({ resolve, reject });
        return;
      }
      const fresh: Group = { key: `${this.prefix}:${key}`, rule: { limit, windowMs }, waiting: [{ resolve, reject }] };
      this.groups.set(id, fresh);
      void this.drain(id, fresh);
    });
  }

  /** Round trips for one group until nobody waits on it. */
  private async drain(id: string, group: Group): Promise<void> {
    while (group.waiting.length > 0) {
      const batch = group.waiting.splice(0);
      const sentAt = this.now();
      let reservation;
      try {
        reservation = await this.limiter.reserve([group.key], [group.rule], 1, batch.length);
      } catch (error) {
        // The store does not answer: so are the takes that queued behind this attempt told (503), not kept waiting for another.
        const failure = this.unavailable(error);
        for (const waiter of [...batch, ...group.waiting.splice(0)]) waiter.reject(failure);
        break;
      }
      const granted = Math.min(reservation.granted, batch.length);
      if (granted === 0) {
        const until = sentAt + reservation.waitMs;
        this.remember(id, until);
        for (const waiter of batch) waiter.resolve(refused(reservation.waitMs));
        // Takes that queued meanwhile came after the question: the refusal holds for them too, while it lasts.
        const left = until - this.now();
        if (left > 0) for (const waiter of group.waiting.splice(0)) waiter.resolve(refused(left));
        continue;
      }
      for (const waiter of batch.slice(0, granted)) waiter.resolve(ALLOWED);
      group.waiting.unshift(...batch.slice(granted));
    }
    this.groups.delete(id);
  }

  private remember(id: string, until: number): void {
    if (this.refusedUntil.size >= REFUSALS_SWEEP_AT) {
      const t = this.now();
      for (const [other, end] of this.refusedUntil) if (end <= t) this.refusedUntil.delete(other);
    }
    this.refusedUntil.set(id, until);
  }

  private unavailable(error: unknown): unknown {
    if (!this.where || error instanceof StoreUnavailableError) return error;
    return new StoreUnavailableError(`${this.where} (request limits) does not answer`, error);
  }
}
