import type { Clock } from '@wxnotify/core';

/**
 * A virtual clock that moves only when the test says so: `advance(ms)` wakes the sleepers due by
 * then, in deadline order. For windows that must stay open while real HTTP requests arrive
 * (digests in a running app), where an auto-advancing clock would close them between requests.
 */
export class ManualClock implements Clock {
  private current: number;
  private readonly timers: Array<{ at: number; resolve(): void }> = [];

  constructor(start = Date.UTC(2026, 10, 22, 9, 0, 0)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** An aborted sleep ends at once, as the system clock's does. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = { at: this.current + ms, resolve };
      this.timers.push(timer);
      signal?.addEventListener(
        'abort',
        () => {
          const at = this.timers.indexOf(timer);
          if (at >= 0) this.timers.splice(at, 1);
          resolve();
        },
        { once: true },
      );
    });
  }

  /** Sleepers waiting right now. */
  get sleepers(): number {
    return this.timers.length;
  }

  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.timers.shift();
      this.current = Math.max(this.current, next.at);
      next.resolve();
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.current = target;
  }
}
