import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { type Channel, type ChannelType, type ChannelTypeMap, type Notification, type SendResult } from '@wxnotify/core';
import { describeError } from './errors.js';
import { NOTIFY_DISPATCHER, NOTIFY_RUNTIME } from './notify.constants.js';
import type { NotifyDispatcher } from './notify.dispatcher.js';
import type { NotifyMessage } from './notify.options.js';
import type { NotifyRuntime } from './notify.runtime.js';
import type { NotifyStats } from './notify.stats.js';

export { describeError };

function toNotification(message: NotifyMessage): Notification {
  return typeof message === 'string' ? { content: message } : message;
}

/**
 * Sends through the channels named in the module options. `send` is awaited by the caller and
 * rejects with the core's NotifyError; `dispatch` is fire-and-forget: never throws, never blocks,
 * counted in `stats()` and drained (bounded) on application shutdown.
 */
@Injectable()
export class NotifyService implements OnApplicationShutdown {
  private readonly logger = new Logger('NotifyService');
  private readonly inflight = new Set<Promise<void>>();
  private readonly waiting: Array<() => void> = [];
  private running = 0;
  private closing = false;
  /** Set when the shutdown drain timed out: late completions are no longer counted. */
  private abandoned = false;
  private readonly counters = { sent: 0, failed: 0, dropped: 0, queued: 0, fallbacks: 0 };

  constructor(
    @Inject(NOTIFY_RUNTIME) private readonly runtime: NotifyRuntime,
    @Optional() @Inject(NOTIFY_DISPATCHER) private readonly dispatcher?: NotifyDispatcher | null,
  ) {}

  /** Names of the configured channels. */
  get channelNames(): string[] {
    return [...this.runtime.channels.keys()];
  }

  get defaultChannel(): string | undefined {
    return this.runtime.defaultChannel;
  }

  /**
   * The core channel client, for management calls. Passing the expected type narrows the result
   * and checks it at run time: `notify.channel('ops', 'wecom-app')`.
   */
  channel<T extends ChannelType>(name: string, type: T): ChannelTypeMap[T]['channel'];
  channel(name?: string): Channel<any>;
  channel(name?: string, type?: ChannelType): Channel<any> {
    const resolved = this.resolveName(name);
    const channel = this.runtime.channels.get(resolved)!;
    if (type !== undefined && channel.type !== type) {
      throw new Error(`channel "${resolved}" is a ${channel.type} channel, not ${type}`);
    }
    return channel;
  }

  /** Sends now and resolves with the core's SendResult; rejects with its NotifyError. */
  send(message: NotifyMessage): Promise<SendResult>;
  send(channel: string, message: NotifyMessage): Promise<SendResult>;
  async send(first: NotifyMessage, second?: NotifyMessage): Promise<SendResult> {
    const [name, message] = second === undefined ? [undefined, first] : [first as string, second];
    return this.channel(name).send(toNotification(message));
  }

  /**
   * Fire-and-forget: queue mode enqueues (falling back to an in-process send when the queue is
   * unreachable), otherwise sends in process with bounded concurrency. Never throws.
   */
  dispatch(message: NotifyMessage, channel?: string): void {
    let name: string;
    try {
      name = this.resolveName(channel);
    } catch (error) {
      this.counters.dropped++;
      this.logger.warn(`notification dropped: ${describeError(error)}`);
      return;
    }
    const notification = toNotification(message);
    if (this.dispatcher && !this.closing) {
      this.track(
        this.dispatcher.enqueue(name, notification).then(
          () => {
            this.counters.queued++;
          },
          (error: unknown) => {
            if (this.dispatcher?.fallback === 'drop') {
              this.counters.dropped++;
              this.logger.warn(`enqueue failed, notification dropped: ${describeError(error)}`);
              return;
            }
            this.counters.fallbacks++;
            this.logger.warn(`enqueue failed, sending in process instead: ${describeError(error)}`);
            this.dispatchInline(name, notification);
          },
        ),
      );
      return;
    }
    this.dispatchInline(name, notification);
  }

  stats(): NotifyStats {
    return { ...this.counters, pending: this.running + this.waiting.length };
  }

  /** Waits for pending sends, at most `timeoutMs`; what is left is counted as dropped. */
  async drain(timeoutMs = this.runtime.options.shutdownTimeoutMs): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const settle = async (): Promise<'done'> => {
      while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
      return 'done';
    };
    const outcome = await Promise.race([settle(), deadline]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      const left = this.running + this.waiting.length;
      this.counters.dropped += left;
      this.abandoned = true;
      this.running = 0;
      this.waiting.length = 0;
      if (left > 0) this.logger.warn(`${left} notification(s) still pending after ${timeoutMs} ms at shutdown: dropped`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.drain();
    this.closing = true;
    await this.dispatcher?.close();
  }

  private dispatchInline(name: string, notification: Notification): void {
    const { maxPendingSends, maxConcurrentSends } = this.runtime.options;
    if (this.running + this.waiting.length >= maxPendingSends) {
      this.counters.dropped++;
      this.logger.warn(`notification dropped: ${maxPendingSends} sends already pending`);
      return;
    }
    const channel = this.runtime.channels.get(name)!;
    const job = new Promise<void>((resolve) => {
      const start = (): void => {
        this.running++;
        channel
          .send(notification)
          .then(
            (result) => {
              if (this.abandoned) return;
              this.counters.sent++;
              if (!result.ok) this.logger.warn(`notification via "${name}" partly rejected: ${result.partialFailures.length} recipient(s) not reached`);
            },
            (error: unknown) => {
              if (this.abandoned) return;
              this.counters.failed++;
              this.logger.warn(`notification via "${name}" failed: ${describeError(error)}`);
            },
          )
          .finally(() => {
            if (!this.abandoned) this.running--;
            this.waiting.shift()?.();
            resolve();
          });
      };
      if (this.running < maxConcurrentSends) start();
      else this.waiting.push(start);
    });
    this.track(job);
  }

  private track(promise: Promise<void>): void {
    const tracked = promise.finally(() => this.inflight.delete(tracked));
    this.inflight.add(tracked);
  }

  private resolveName(name: string | undefined): string {
    const resolved = name ?? this.runtime.defaultChannel;
    if (resolved === undefined) throw new Error(`no channel named and no defaultChannel set (channels: ${this.channelNames.join(', ')})`);
    if (!this.runtime.channels.has(resolved)) throw new Error(`unknown channel "${resolved}" (channels: ${this.channelNames.join(', ')})`);
    return resolved;
  }
}
