import type { RateLimiter } from '@wxnotify/core';
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

/** Request limits over a shared core RateLimiter: one `reserve` of one unit per request. */
export class SharedRequestLimits implements RequestLimits {
  constructor(
    private readonly limiter: ReservingLimiter,
    private readonly prefix = 'gateway',
    /** Named in the 503 when the counters cannot be reached (the store's own errors say more). */
    private readonly where?: string,
  ) {}

  async take(key: string, limit: number, windowMs = 60_000): Promise<RateDecision> {
    let reservation;
    try {
      reservation = await this.limiter.reserve([`${this.prefix}:${key}`], [{ limit, windowMs }], 1, 1);
    } catch (error) {
      if (!this.where || error instanceof StoreUnavailableError) throw error;
      throw new StoreUnavailableError(`${this.where} (request limits) does not answer`, error);
    }
    const { granted, waitMs } = reservation;
    if (granted >= 1) return { allowed: true, retryAfterSeconds: 0, remaining: -1 }; // -1: not known here (nothing reads it)
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)), remaining: 0 };
  }
}
