/** Time source and sleep, injectable so n8n can use its own `sleep` and tests can go fast. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`. With a `signal`, an abort may end the sleep early (callers check `signal.aborted`). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => {
    if (!signal) return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
    if (signal.aborted) return Promise.resolve();
    // An abort clears the timer: a shut-down host keeps no timer alive.
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal.addEventListener('abort', done, { once: true });
    });
  },
};

/**
 * Waits for `work`, or rejects with `aborted()` as soon as `signal` aborts (`work` itself is left
 * to settle on its own). Without a signal, `work` as it is.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, aborted: () => unknown): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(aborted());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
