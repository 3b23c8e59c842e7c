/**
 * Redis connection for the queue, the shared token store and the shared rate limiter: ioredis
 * options (tls, sentinels... pass through), or an ioredis client (duplicated, never closed by us).
 */
export interface NotifyRedisConnection {
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  db?: number;
  [option: string]: unknown;
}

export interface NotifyQueueOptions {
  /** Required unless `bullModule` is set. */
  connection?: NotifyRedisConnection;
  /**
   * Take the connection from `BullModule.forRoot()` of @nestjs/bullmq: `true`, or
   * `{ configKey }` for `BullModule.forRoot(configKey, ...)`. `prefix` still applies.
   */
  bullModule?: boolean | { configKey?: string };
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
  /**
   * Worker job lock, renewed every half of it while a job runs. A killed worker's job is taken
   * up again after the lock expired and the next stalled check ran: up to
   * `lockDurationMs + stalledIntervalMs` (30–45 s with the defaults). Default 30000 ms.
   */
  lockDurationMs?: number;
  /** How often workers look for stalled jobs (expired locks). Default 15000 ms. */
  stalledIntervalMs?: number;
  /** How long a "delivered" mark is kept per job. Default 7 days. */
  deliveredMarkTtlMs?: number;
}

export const QUEUE_DEFAULTS: Required<Omit<NotifyQueueOptions, 'connection' | 'producer' | 'worker' | 'bullModule'>> = {
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

export type ResolvedQueueOptions = NotifyQueueOptions & typeof QUEUE_DEFAULTS & { connection: NotifyRedisConnection };

export function resolveQueueOptions(options: NotifyQueueOptions): ResolvedQueueOptions {
  if (!options.connection) throw new Error('queue.connection is required (or set queue.bullModule and import BullModule.forRoot)');
  return { ...QUEUE_DEFAULTS, ...options } as ResolvedQueueOptions;
}

/** The `configKey` of `queue.bullModule`, or undefined for the default BullModule config; null when not set. */
export function bullConfigKey(options: NotifyQueueOptions): string | undefined | null {
  if (!options.bullModule) return null;
  return options.bullModule === true ? undefined : options.bullModule.configKey;
}

/** The job payload: the channel name and the core Notification, nothing else. */
export interface NotifyJobData {
  channel: string;
  notification: import('@wxnotify/core').Notification;
}
