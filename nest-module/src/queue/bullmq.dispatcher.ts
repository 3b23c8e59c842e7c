import { Logger } from '@nestjs/common';
import type { Notification } from '@wxnotify/core';
import { Queue } from 'bullmq';
import type { NotifyDispatcher } from '../notify.dispatcher.js';
import { resolveQueueOptions, type NotifyJobData, type NotifyQueueOptions, type ResolvedQueueOptions } from './queue.options.js';

/**
 * Producer side of queue mode. The connection fails fast (`enableOfflineQueue: false`,
 * `skipWaitingForReady: true`, bounded by `enqueueTimeoutMs`) so a dead Redis never holds a
 * request; NotifyService then falls back as configured.
 */
export class BullMqDispatcher implements NotifyDispatcher {
  private readonly logger = new Logger('NotifyQueue');
  private readonly options: ResolvedQueueOptions;
  private readonly queue: Queue<NotifyJobData>;
  private lastErrorLog = 0;

  constructor(options: NotifyQueueOptions) {
    this.options = resolveQueueOptions(options);
    this.queue = new Queue<NotifyJobData>(this.options.name, {
      connection: { ...this.options.connection, enableOfflineQueue: false, maxRetriesPerRequest: 1 },
      prefix: this.options.prefix,
      skipWaitingForReady: true,
      defaultJobOptions: {
        attempts: this.options.attempts,
        backoff: { type: 'exponential', delay: this.options.backoffMs },
        removeOnComplete: 1000,
        removeOnFail: 5000,
      },
    });
    // Without a listener an ioredis connection error would crash the process.
    this.queue.on('error', (error: Error) => this.logThrottled(`queue connection: ${error.message}`));
  }

  get fallback(): 'inline' | 'drop' {
    return this.options.fallback;
  }

  async enqueue(channel: string, notification: Notification): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.queue.add('notify', { channel, notification }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`enqueue timed out after ${this.options.enqueueTimeoutMs} ms`)), this.options.enqueueTimeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.queue.close().catch(() => undefined);
  }

  private logThrottled(message: string): void {
    const now = Date.now();
    if (now - this.lastErrorLog < 10_000) return;
    this.lastErrorLog = now;
    this.logger.warn(message);
  }
}
