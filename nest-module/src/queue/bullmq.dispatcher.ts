import { Logger } from '@nestjs/common';
import type { Notification } from '@wxnotify/core';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { NotifyDispatcher } from '../notify.dispatcher.js';
import { openRedis } from './redis-connection.js';
import { resolveQueueOptions, type NotifyJobData, type NotifyQueueOptions, type ResolvedQueueOptions } from './queue.options.js';

/**
 * Producer side of queue mode. Its Redis connection fails fast (`enableOfflineQueue: false`,
 * one retry per request, every enqueue bounded by `enqueueTimeoutMs`), and nothing is sent to
 * Redis while it is not connected, so a dead Redis never holds a request; NotifyService then
 * falls back as configured. ioredis reconnects by itself when Redis is back.
 */
export class BullMqDispatcher implements NotifyDispatcher {
  private readonly logger = new Logger('NotifyQueue');
  private readonly options: ResolvedQueueOptions;
  private readonly connection: Redis;
  private queue?: Queue<NotifyJobData>;
  private lastErrorLog = 0;

  constructor(options: NotifyQueueOptions) {
    this.options = resolveQueueOptions(options);
    this.connection = openRedis(this.options.connection, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    // Without a listener an ioredis connection error would crash the process.
    this.connection.on('error', (error: Error) => this.logThrottled(`queue connection: ${error.message}`));
  }

  /** Waits (bounded by `enqueueTimeoutMs`) for the first connection, so early enqueues do not fall back needlessly. */
  async ready(): Promise<void> {
    if (this.connection.status === 'ready') return;
    let timer: NodeJS.Timeout | undefined;
    let onReady: (() => void) | undefined;
    await new Promise<void>((resolve) => {
      onReady = resolve;
      this.connection.once('ready', onReady);
      timer = setTimeout(resolve, this.options.enqueueTimeoutMs);
    });
    clearTimeout(timer);
    this.connection.off('ready', onReady!);
  }

  get fallback(): 'inline' | 'drop' {
    return this.options.fallback;
  }

  async enqueue(channel: string, notification: Notification): Promise<void> {
    if (this.connection.status !== 'ready') throw new Error(`Redis is not connected (${this.connection.status})`);
    const queue = this.getQueue();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        queue.add('notify', { channel, notification }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`enqueue timed out after ${this.options.enqueueTimeoutMs} ms`)), this.options.enqueueTimeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.queue?.close().catch(() => undefined);
    await this.connection.quit().catch(() => this.connection.disconnect());
  }

  /** Created on the first enqueue over a connected client: BullMQ's set-up commands must not hit an offline fail-fast client. */
  private getQueue(): Queue<NotifyJobData> {
    if (!this.queue) {
      this.queue = new Queue<NotifyJobData>(this.options.name, {
        connection: this.connection,
        prefix: this.options.prefix,
        skipWaitingForReady: true,
        defaultJobOptions: {
          attempts: this.options.attempts,
          backoff: { type: 'exponential', delay: this.options.backoffMs },
          removeOnComplete: 1000,
          removeOnFail: 5000,
        },
      });
      this.queue.on('error', (error: Error) => this.logThrottled(`queue: ${error.message}`));
    }
    return this.queue;
  }

  private logThrottled(message: string): void {
    const now = Date.now();
    if (now - this.lastErrorLog < 10_000) return;
    this.lastErrorLog = now;
    this.logger.warn(message);
  }
}
