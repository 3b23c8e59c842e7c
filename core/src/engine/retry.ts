export interface RetryPolicy {
  /** Attempts per request for retryable failures (network, 5xx, busy), first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Default wait after an upstream rate-limit answer when the upstream gives no window (WeCom 45009: 60 s). */
  rateLimitWaitMs: number;
  /** How many rate-limit waits one request may sit out before failing. */
  maxRateLimitWaits: number;
  /** Per-request timeout handed to the transport. */
  timeoutMs: number;
  /**
   * Longest a call may wait for a rate limit: an upstream window (WeCom 45009) or client-side
   * pacing. A longer wait fails at once, nothing sent, with a retryable NotifyError carrying
   * `retryAfterMs`. A function is read at each wait (a host may bound only some calls, e.g.
   * synchronous HTTP requests). Default: no bound (the call waits).
   */
  maxWaitMs?: number | (() => number);
}

/** The bound in force for the call being made now (`maxWaitMs` may be read per call). */
export function currentMaxWaitMs(bound: RetryPolicy['maxWaitMs']): number {
  return (typeof bound === 'function' ? bound() : bound) ?? Infinity;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 300,
  maxDelayMs: 8_000,
  rateLimitWaitMs: 60_000,
  maxRateLimitWaits: 1,
  timeoutMs: 10_000,
  maxWaitMs: Infinity,
};

/** Exponential backoff with equal jitter: half fixed, half random, capped. */
export function backoffDelay(policy: RetryPolicy, retryNumber: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retryNumber - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
