/** Redis connection for the queue, the shared token store and the shared rate limiter. */
export interface NotifyRedisConnection {
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  db?: number;
}

export interface NotifyQueueOptions {
  connection: NotifyRedisConnection;
  /** BullMQ queue name. Default `wxnotify`. */
  name?: string;
  /** Prefix of every Redis key (queue, tokens, rate windows, delivery marks). Default `wxnotify`. */
  prefix?: string;
  /** Attempts per notification, first included. Default 5. */
  attempts?: number;
  /** First backoff delay (exponential). Default 1000 ms. */
  backoffMs?: number;
  /** Enqueue from this process (dispatch, interceptor, events). Default true. */
  producer?: boolean;
  /** Run a worker in this process. Default false (run workers with `startNotifyWorker`). */
  worker?: boolean;
  /** Jobs a worker runs at once. Default 4. */
  concurrency?: number;
  /** Give up enqueueing after this long (Redis slow or down) and fall back. Default 1000 ms. */
  enqueueTimeoutMs?: number;
  /** What to do when enqueueing fails: send in this process (default) or drop (counted). */
  fallback?: 'inline' | 'drop';
  /** Worker job lock; a killed worker's job is retried after it runs out. Default 30000 ms. */
  lockDurationMs?: number;
  /** How often workers look for stalled jobs. Default 15000 ms. */
  stalledIntervalMs?: number;
  /** How long a "delivered" mark is kept per job. Default 7 days. */
  deliveredMarkTtlMs?: number;
}

export const QUEUE_DEFAULTS: Required<Omit<NotifyQueueOptions, 'connection' | 'producer' | 'worker'>> = {
  name: 'wxnotify',
  prefix: 'wxnotify',
  attempts: 5,
  backoffMs: 1000,
  concurrency: 4,
  enqueueTimeoutMs: 1000,
  fallback: 'inline',
  lockDurationMs: 30_000,
  stalledIntervalMs: 15_000,
  deliveredMarkTtlMs: 7 * 24 * 3600 * 1000,
};

export type ResolvedQueueOptions = NotifyQueueOptions & typeof QUEUE_DEFAULTS;

export function resolveQueueOptions(options: NotifyQueueOptions): ResolvedQueueOptions {
  return { ...QUEUE_DEFAULTS, ...options } as ResolvedQueueOptions;
}

/** The job payload: the channel name and the core Notification, nothing else. */
export interface NotifyJobData {
  channel: string;
  notification: import('@wxnotify/core').Notification;
}
