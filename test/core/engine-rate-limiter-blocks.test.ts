import { MemoryRateLimiter } from '@wxnotify/core';
import { VirtualClock } from '../support/virtual-clock';

describe('MemoryRateLimiter with an unbounded rule (limit: Infinity)', () => {
  it('never paces, but holds every caller until a block ends', async () => {
    const clock = new VirtualClock();
    const limiter = new MemoryRateLimiter(clock);
    const rule = { limit: Infinity, windowMs: 60_000 };
    await Promise.all(Array.from({ length: 5000 }, () => limiter.acquire('app', rule)));
    expect(clock.slept).toBe(0);

    const blockedAt = clock.now();
    await limiter.block('app', blockedAt + 60_000);
    const released: number[] = [];
    await Promise.all(Array.from({ length: 3 }, () => limiter.acquire('app', rule).then(() => released.push(clock.now()))));
    expect(released.every((t) => t >= blockedAt + 60_000)).toBe(true);
    // Other keys are not held.
    const before = clock.now();
    await limiter.acquire('other-app', rule);
    expect(clock.now()).toBe(before);
  });
});
