import { isAbortError, isNotifyError, type SendResult } from '@wxnotify/core';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { bullConnection, openRedis } from './redis-connection.js';
import { NOTIFY_DEFAULTS, type NotifyModuleOptions } from '../notify.options.js';
import { createNotifyRuntime, type NotifyRuntime, type RuntimeLogger } from '../notify.runtime.js';
import { describeError } from '../errors.js';
import { resolveQueueOptions, type NotifyJobData, type ResolvedQueueOptions } from './queue.options.js';
import { RedisRateLimiter } from './redis-rate-limiter.js';
import { RedisTokenStore } from './redis-token-store.js';

export interface NotifyWorkerHandle {
  readonly worker: Worker<NotifyJobData>;
  readonly runtime: NotifyRuntime;
  close(): Promise<void>;
}

/** What a job returns: enough to audit, nothing secret. */
export interface NotifyJobResult {
  duplicate: boolean;
  messageIds: string[];
  parts: number;
}

/**
 * Starts a queue worker: channels built by the core with a Redis token store (one token per app
 * across every worker) and a Redis rate limiter (limits hold across workers). Each job is marked
 * "delivered" in Redis right after the upstream accepted it, so a retry of the same job id (a
 * worker killed before acking) is not delivered twice. Works with or without NestJS.
 */
export async function startNotifyWorker(options: NotifyModuleOptions, logger?: RuntimeLogger): Promise<NotifyWorkerHandle> {
  if (!options.queue) throw new Error('startNotifyWorker needs the `queue` option');
  const { queue, redis, runtime } = createWorkerRuntime(options, logger);
  const worker = new Worker<NotifyJobData, NotifyJobResult>(queue.name, (job) => processJob(job, runtime, redis, queue), {
    connection: bullConnection(queue.connection, { maxRetriesPerRequest: null }),
    prefix: queue.prefix,
    ...workerOptions(queue),
  });
  let lastConnectionLog = 0;
  worker.on('error', (error) => {
    // Throttled: a Redis outage emits an error per reconnect attempt.
    if (Date.now() - lastConnectionLog < 10_000) return;
    lastConnectionLog = Date.now();
    logger?.warn(`worker connection: ${error.message}`);
  });
  worker.on('failed', (job, error) => logger?.warn(`job ${job?.id ?? '?'} failed (attempt ${job?.attemptsMade ?? '?'}): ${error.message}`));
  return {
    worker,
    runtime,
    async close() {
      const stopped = abortAfterGrace(runtime, options);
      try {
        await worker.close();
      } finally {
        stopped();
      }
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/**
 * Starts the shutdown grace period of a worker: active jobs get `shutdownTimeoutMs`, then their
 * sends are aborted, the jobs fail as retryable and go back to the queue, and nothing is sent
 * after the worker has closed. Call the returned function once the worker is closed.
 */
export function abortAfterGrace(runtime: NotifyRuntime, options: NotifyModuleOptions): () => void {
  const grace = setTimeout(() => runtime.abort(), options.shutdownTimeoutMs ?? NOTIFY_DEFAULTS.shutdownTimeoutMs);
  return () => {
    clearTimeout(grace);
    runtime.close();
  };
}

export interface WorkerRuntime {
  queue: ResolvedQueueOptions;
  /** Token store, rate limiter and delivery marks. */
  redis: Redis;
  runtime: NotifyRuntime;
}

/**
 * What every worker needs, standalone or as a Nest provider: channels built by the core with a
 * Redis token store and rate limiter, and the Redis client for delivery marks.
 */
export function createWorkerRuntime(options: NotifyModuleOptions, logger?: RuntimeLogger): WorkerRuntime {
  const queue = resolveQueueOptions(options.queue ?? {});
  const redis = openRedis(queue.connection, { maxRetriesPerRequest: null, lazyConnect: false });
  redis.on('error', () => undefined);
  const runtime = createNotifyRuntime(
    {
      ...options,
      deps: {
        ...options.deps,
        tokenStore: options.deps?.tokenStore ?? new RedisTokenStore(redis, { prefix: queue.prefix }),
        rateLimiter: options.deps?.rateLimiter ?? new RedisRateLimiter(redis, { prefix: queue.prefix }),
      },
    },
    logger,
  );
  return { queue, redis, runtime };
}

/** BullMQ worker settings from the queue options. */
export function workerOptions(queue: ResolvedQueueOptions): { concurrency: number; lockDuration: number; stalledInterval: number; maxStalledCount: number } {
  return { concurrency: queue.concurrency, lockDuration: queue.lockDurationMs, stalledInterval: queue.stalledIntervalMs, maxStalledCount: 2 };
}

export async function processJob(job: Job<NotifyJobData>, runtime: NotifyRuntime, redis: Redis, queue: ResolvedQueueOptions): Promise<NotifyJobResult> {
  const deliveredKey = `${queue.prefix}:delivered:${queue.name}:${job.id}`;
  if (await redis.exists(deliveredKey)) return { duplicate: true, messageIds: [], parts: 0 };
  const channel = runtime.channels.get(job.data.channel);
  if (!channel) throw new UnrecoverableError(`unknown channel "${job.data.channel}"`);
  let result: SendResult;
  try {
    result = await channel.send(job.data.notification, { signal: runtime.signal });
  } catch (error) {
    // Job errors are stored in Redis: only redacted text goes there.
    const message = describeError(error);
    // An abort (worker shutdown) is not the notification's fault: the job is retried.
    if (isNotifyError(error) && !error.retryable && !isAbortError(error)) throw new UnrecoverableError(message);
    throw new Error(message);
  }
  await redis.set(deliveredKey, '1', 'PX', queue.deliveredMarkTtlMs);
  return { duplicate: false, messageIds: result.messageIds, parts: result.parts };
}
