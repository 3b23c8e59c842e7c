import type { Clock } from '@wxnotify/core';

/**
 * A clock whose sleeps return at once and move time forward to the sleeper's deadline, so tests of
 * 60-second windows run in milliseconds. Share it with the fake server so both see the same time.
 */
export class VirtualClock implements Clock {
  private current: number;
  /** Total virtual time slept, for assertions like "waited out the 45009 window". */
  slept = 0;

  constructor(start = Date.UTC(2026, 10, 22, 9, 0, 0)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  async sleep(ms: number): Promise<void> {
    const target = this.current + Math.max(0, ms);
    await new Promise((resolve) => setImmediate(resolve));
    if (target > this.current) {
      this.slept += target - this.current;
      this.current = target;
    }
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
