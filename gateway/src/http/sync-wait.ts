import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The longest a synchronous request may wait for an upstream rate limit (a WeCom 45009 window,
 * gewechat pacing). The core reads it at each wait (`retry.maxWaitMs`); a longer wait fails at
 * once with `retryAfterMs`, which the routes answer 429 + Retry-After (nothing sent). Sends of the
 * outbox run outside any request and still wait the window out.
 */
const bound = new AsyncLocalStorage<number>();

export function boundedWait<T>(config: { syncMaxWaitMs: number }, send: () => Promise<T>): Promise<T> {
  return bound.run(config.syncMaxWaitMs, send);
}

/** For the core's `retry.maxWaitMs`: the bound of the request in progress, none outside one. */
export function currentWaitBound(): number {
  return bound.getStore() ?? Infinity;
}
