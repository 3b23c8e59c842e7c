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
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 300,
  maxDelayMs: 8_000,
  rateLimitWaitMs: 60_000,
  maxRateLimitWaits: 1,
  timeoutMs: 10_000,
};

/** Exponential backoff with equal jitter: half fixed, half random, capped. */
export function backoffDelay(policy: RetryPolicy, retryNumber: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retryNumber - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
