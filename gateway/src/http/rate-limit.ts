export interface RateDecision {
  allowed: boolean;
  /** Seconds until the window frees a slot (for `Retry-After`). */
  retryAfterSeconds: number;
  remaining: number;
}

/**
 * Fixed-window counters per key (Code id, API key id, client IP). Unlike the core's pacing limiter,
 * the gateway answers 429 at once: callers should slow down, not hold connections open.
 */
export class WindowRateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private lastSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  take(key: string, limit: number, windowMs = 60_000): RateDecision {
    const t = this.now();
    this.sweep(t, windowMs);
    let window = this.windows.get(key);
    if (!window || t - window.start >= windowMs) {
      window = { start: t, count: 0 };
      this.windows.set(key, window);
    }
    if (window.count >= limit) {
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((window.start + windowMs - t) / 1000)), remaining: 0 };
    }
    window.count++;
    return { allowed: true, retryAfterSeconds: 0, remaining: limit - window.count };
  }

  private sweep(t: number, windowMs: number): void {
    if (t - this.lastSweep < windowMs) return;
    this.lastSweep = t;
    for (const [key, window] of this.windows) if (t - window.start >= windowMs) this.windows.delete(key);
  }
}
