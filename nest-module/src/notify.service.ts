import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { abortMayHaveArrived, isAbortError, type Channel, type ChannelType, type ChannelTypeMap, type Notification, type NotifyError, type SendOptions, type SendResult } from '@wxnotify/core';
import { describeError } from './errors.js';
import { NOTIFY_DISPATCHER, NOTIFY_RUNTIME } from './notify.constants.js';
import type { NotifyDispatcher } from './notify.dispatcher.js';
import type { NotifyMessage } from './notify.options.js';
import type { NotifyRuntime } from './notify.runtime.js';
import type { NotifyStats } from './notify.stats.js';
import { SummaryLog } from './summary-log.js';
import { CardQuestions } from './ask/card-questions.js';
import type { AskOptions, AskResult } from './ask/ask.types.js';

export { describeError };

function toNotification(message: NotifyMessage): Notification {
  return typeof message === 'string' ? { content: message } : message;
}

/**
 * A signal that aborts when either does, with the first one's reason. `release()` unhooks it
 * from both (the shutdown signal lives as long as the app: AbortSignal.any would keep every
 * send's signal hooked to it).
 */
function eitherSignal(a: AbortSignal, b: AbortSignal): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const onA = () => controller.abort(a.reason);
  const onB = () => controller.abort(b.reason);
  if (a.aborted) onA();
  else if (b.aborted) onB();
  a.addEventListener('abort', onA, { once: true });
  b.addEventListener('abort', onB, { once: true });
  return {
    signal: controller.signal,
    release: () => {
      a.removeEventListener('abort', onA);
      b.removeEventListener('abort', onB);
    },
  };
}

/** How long shutdown waits for aborted sends to settle (a transport that ignores the signal). */
const ABORT_SETTLE_MS = 1000;

interface Waiting {
  start(): void;
  /** Settles the job without sending (shutdown). */
  drop(): void;
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
  private readonly waiting: Waiting[] = [];
  private running = 0;
  private closing = false;
  /** Set when even the aborted sends did not settle in time: late completions are no longer counted. */
  private abandoned = false;
  private readonly counters = { sent: 0, failed: 0, dropped: 0, unconfirmed: 0, queued: 0, fallbacks: 0 };
  private readonly warnings = new SummaryLog((message) => this.logger.warn(message));

  constructor(
    @Inject(NOTIFY_RUNTIME) private readonly runtime: NotifyRuntime,
    /** Button-card questions waiting for a click (answered through the WeCom callback of NotifyCallbacksModule). */
    @Inject(CardQuestions) readonly questions: CardQuestions,
    @Optional() @Inject(NOTIFY_DISPATCHER) private readonly dispatcher?: NotifyDispatcher | null,
  ) {}

  /**
   * Sends a button card through a wecom-app channel and resolves with the first click
   * (`{ answered: true, key, user }`, the card then shows who answered) or `{ answered: false, timedOut: true }`
   * (docs/nestjs.md, Buttons and approvals: the questions survive a restart in queue mode).
   */
  ask(options: AskOptions): Promise<AskResult> {
    return this.questions.ask(options);
  }

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

  /**
   * Sends now and resolves with the core's SendResult; rejects with its NotifyError. With
   * `{ signal }` the caller can abort it too (as shutdown does): it then rejects with an `ABORTED`
   * NotifyError whose `deliveryUnknown` says whether a request was on the wire.
   */
  send(message: NotifyMessage): Promise<SendResult>;
  send(channel: string | undefined, message: NotifyMessage, options?: SendOptions): Promise<SendResult>;
  async send(first: NotifyMessage | undefined, second?: NotifyMessage, options?: SendOptions): Promise<SendResult> {
    const [name, message] = second === undefined ? [undefined, first as NotifyMessage] : [first as string | undefined, second];
    const channel = this.channel(name);
    // Shutdown aborts an awaited send too (it rejects with an ABORTED NotifyError).
    if (!options?.signal) return channel.send(toNotification(message), { signal: this.runtime.signal });
    const either = eitherSignal(this.runtime.signal, options.signal);
    try {
      return await channel.send(toNotification(message), { signal: either.signal });
    } finally {
      either.release();
    }
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
      this.warnings.note('dropped: no such channel', `notification dropped: ${describeError(error)}`);
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
              this.warnings.note('dropped: enqueue failed', `enqueue failed, notification dropped: ${describeError(error)}`);
              return;
            }
            this.counters.fallbacks++;
            this.warnings.note('enqueue failed: sent in process', `enqueue failed, sending in process instead: ${describeError(error)}`);
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

  /**
   * Waits for pending sends, at most `timeoutMs`. Then sends still waiting for a slot are dropped
   * (never sent), and running ones are aborted: an abort before anything left counts as dropped,
   * one with a request on the wire (or a part delivered) as `unconfirmed`. Nothing is sent after.
   */
  async drain(timeoutMs = this.runtime.options.shutdownTimeoutMs): Promise<void> {
    if ((await this.settleWithin(timeoutMs)) === 'done') return;
    const waiting = this.waiting.splice(0);
    for (const job of waiting) job.drop();
    this.counters.dropped += waiting.length;
    const before = { dropped: this.counters.dropped, unconfirmed: this.counters.unconfirmed };
    const aborting = this.running;
    this.runtime.abort();
    if ((await this.settleWithin(ABORT_SETTLE_MS)) === 'timeout') {
      // A transport that ignores the abort: whatever it does now is unknown.
      this.counters.unconfirmed += this.running;
      this.running = 0;
      this.abandoned = true;
    }
    const dropped = this.counters.dropped - before.dropped;
    const unconfirmed = this.counters.unconfirmed - before.unconfirmed;
    if (waiting.length + aborting > 0) {
      this.logger.warn(
        `shutdown after ${timeoutMs} ms: ${waiting.length + dropped} notification(s) dropped (never sent), ` +
          `${unconfirmed} aborted with a request on the wire (delivery unknown)`,
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.drain();
    this.closing = true;
    this.warnings.flush();
    this.runtime.close();
    await this.dispatcher?.close();
  }

  /** Resolves 'done' once nothing is in flight, or 'timeout' after `ms`. */
  private async settleWithin(ms: number): Promise<'done' | 'timeout'> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ms);
    });
    let stop = false;
    const settle = async (): Promise<'done'> => {
      while (this.inflight.size > 0 && !stop) await Promise.allSettled([...this.inflight]);
      return 'done';
    };
    const outcome = await Promise.race([settle(), deadline]);
    stop = true;
    clearTimeout(timer);
    return outcome;
  }

  private dispatchInline(name: string, notification: Notification): void {
    const { maxPendingSends, maxConcurrentSends } = this.runtime.options;
    if (this.closing || this.runtime.signal.aborted) {
      this.counters.dropped++;
      this.warnings.note('dropped: shutting down', 'notification dropped: the application is shutting down');
      return;
    }
    if (this.running + this.waiting.length >= maxPendingSends) {
      this.counters.dropped++;
      this.warnings.note('dropped: backlog full', `notification dropped: ${maxPendingSends} sends already pending`);
      return;
    }
    const channel = this.runtime.channels.get(name)!;
    const signal = this.runtime.signal;
    const job = new Promise<void>((resolve) => {
      const start = (): void => {
        this.running++;
        channel
          .send(notification, { signal })
          .then(
            (result) => {
              if (this.abandoned) return;
              this.counters.sent++;
              if (!result.ok) this.logger.warn(`notification via "${name}" partly rejected: ${result.partialFailures.length} recipient(s) not reached`);
            },
            (error: unknown) => {
              if (this.abandoned) return;
              if (isAbortError(error)) {
                if (abortMayHaveArrived(error as NotifyError)) this.counters.unconfirmed++;
                else this.counters.dropped++;
                return;
              }
              this.counters.failed++;
              this.logger.warn(`notification via "${name}" failed: ${describeError(error)}`);
            },
          )
          .finally(() => {
            if (!this.abandoned) this.running--;
            this.waiting.shift()?.start();
            resolve();
          });
      };
      if (this.running < maxConcurrentSends) start();
      else this.waiting.push({ start, drop: resolve });
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
