import { systemClock, type Clock } from './clock';

export interface DeduplicatorOptions {
  /** How long a key counts as seen (default 10 minutes: long enough for upstream redeliveries). */
  ttlMs?: number;
  /** Upper bound on remembered keys; the oldest are dropped first (default 10,000). */
  maxEntries?: number;
  clock?: Clock;
}

/**
 * Remembers recently seen keys (callback message ids) for a bounded time and a bounded count, so
 * redelivered or replayed callbacks are handled once. Memory stays at most `maxEntries` keys.
 */
export class Deduplicator {
  private readonly seenAt = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly clock: Clock;

  constructor(options: DeduplicatorOptions = {}) {
    this.ttlMs = options.ttlMs ?? 10 * 60_000;
    this.maxEntries = Math.max(1, options.maxEntries ?? 10_000);
    this.clock = options.clock ?? systemClock;
  }

  /** Records `key` and returns true when it was already seen within the TTL. */
  isDuplicate(key: string): boolean {
    const now = this.clock.now();
    this.evictExpired(now);
    if (this.seenAt.has(key)) return true;
    this.seenAt.set(key, now);
    if (this.seenAt.size > this.maxEntries) {
      const oldest = this.seenAt.keys().next().value as string;
      this.seenAt.delete(oldest);
    }
    return false;
  }

  /** True when `key` was seen within the TTL, without recording it. */
  has(key: string): boolean {
    this.evictExpired(this.clock.now());
    return this.seenAt.has(key);
  }

  /** Forgets `key`, e.g. when handling it failed and a redelivery should be processed. */
  forget(key: string): void {
    this.seenAt.delete(key);
  }

  get size(): number {
    return this.seenAt.size;
  }

  // Keys are inserted in time order and never refreshed, so expired ones sit at the front.
  private evictExpired(now: number): void {
    for (const [key, at] of this.seenAt) {
      if (at > now - this.ttlMs) break;
      this.seenAt.delete(key);
    }
  }
}
