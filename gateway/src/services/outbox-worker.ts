import { abortMayHaveArrived, isAbortError, isNotifyError, type Notification, type NotifyError } from '@wxnotify/core';
import type { GatewayLogger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Lease } from '../store/leases.js';
import { isStoreUnavailable } from '../store/sql-driver.js';
import type { OutboxOutcome } from '../store/delivery-log.js';
import type { GatewayStore, OutboxEntry } from '../store/store.js';
import type { ChannelSender } from './channel-sender.js';
import type { SendRecorder } from './send-recorder.js';

const MAX_BACKOFF_MS = 5 * 60_000;
const BATCH = 16;

/**
 * Delivers accepted asynchronous sends from the store's outbox. Entries are written before the
 * 202 answer, so a restart loses nothing: the next start picks up what is still pending.
 */
export class OutboxWorker {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = true;
  /** The store is unreachable: said once, and again when it answers (not once per poll). */
  private outage = false;

  constructor(
    private readonly store: GatewayStore,
    private readonly channels: ChannelSender,
    private readonly recorder: SendRecorder,
    private readonly metrics: Metrics,
    private readonly logger: GatewayLogger,
    /** `leaseMs`: how long a taken entry is reserved for one attempt; renewed while the attempt runs. `onOutcome`: the delivery log. */
    private readonly options: { pollMs: number; maxAttempts: number; leaseMs: number; onOutcome?: (id: string, outcome: OutboxOutcome) => Promise<void> },
  ) {}

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.options.pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Runs a delivery round now (after an enqueue), or right after the current one. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .then(() => {
        if (!this.outage) return;
        this.outage = false;
        this.logger.info('store reachable again: outbox delivery resumed');
      })
      .catch((error: unknown) => {
        if (!isStoreUnavailable(error)) return this.logger.error('outbox round failed', { error: error as Error });
        if (this.outage) return;
        this.outage = true;
        // Accepted entries stay in the store; polling goes on and picks them up when it answers.
        this.logger.warn('store unavailable: outbox delivery paused until it answers', { reason: error.reason });
      })
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /**
   * Stops polling and waits for the round in progress, at most `timeoutMs`: an attempt cut short
   * keeps its lease and is retried by the next start (at least once delivery).
   */
  async stop(timeoutMs = 5000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    await Promise.race([this.running, timeout]);
    clearTimeout(timer);
  }

  private async drain(): Promise<void> {
    for (;;) {
      const due = await this.store.duePending(BATCH);
      if (due.length === 0 || this.stopped) return;
      for (const entry of due) {
        if (this.stopped) return;
        const lease = await this.store.claim(entry, this.options.leaseMs);
        if (lease) await this.store.holdOutbox(lease, this.options.leaseMs, (signal) => this.deliver(entry, lease, signal));
      }
    }
  }

  /** One attempt; `signal` aborts it when the lease is lost (the send stops on the wire, see Leases.hold). */
  private async deliver(entry: OutboxEntry, lease: Lease, signal: AbortSignal): Promise<void> {
    if (!this.channels.has(entry.channel)) {
      const message = `channel "${entry.channel}" is no longer configured`;
      this.outcome(entry, 'failed', await this.store.markFailed(lease, message));
      await this.options.onOutcome?.(entry.id, { error: new Error(message), attempts: entry.attempts + 1, final: true });
      return;
    }
    try {
      const notification = JSON.parse(entry.payload) as Notification<any, any>;
      const result = await this.recorder.record(entry.channel, () => this.channels.send(entry.channel, notification, { signal }), { outboxId: entry.id });
      this.outcome(entry, 'sent', await this.store.markSent(lease, { ok: result.ok, messageIds: result.messageIds, parts: result.parts, partialFailures: result.partialFailures }));
      await this.options.onOutcome?.(entry.id, { result, attempts: entry.attempts + 1 });
    } catch (error) {
      if (signal.aborted && isAbortError(error)) return this.abortedByLeaseLoss(entry, error as NotifyError);
      const message = isNotifyError(error) ? error.message : 'internal error';
      const attempts = entry.attempts + 1;
      const retryable = !isNotifyError(error) || error.retryable;
      if (retryable && attempts < this.options.maxAttempts) {
        const delay = Math.min(MAX_BACKOFF_MS, this.options.pollMs * 2 ** attempts);
        this.outcome(entry, 'retry', await this.store.markRetry(lease, message, new Date(Date.now() + delay)));
      } else {
        this.outcome(entry, 'failed', await this.store.markFailed(lease, message));
      }
      await this.options.onOutcome?.(entry.id, { error, attempts, final: !(retryable && attempts < this.options.maxAttempts) });
    }
  }

  /**
   * The lease was lost mid-attempt and the send was aborted: the entry is now the new holder's,
   * so nothing is written (neither failed nor dropped). `unconfirmed` when a request was on the
   * wire (it may have arrived and the new holder sends again), `lease-lost` when nothing had left.
   */
  private abortedByLeaseLoss(entry: OutboxEntry, error: NotifyError): void {
    const onWire = abortMayHaveArrived(error);
    this.metrics.inc('wxnotify_outbox_attempts_total', { result: onWire ? 'unconfirmed' : 'lease-lost' });
    this.logger.warn(
      onWire
        ? 'outbox attempt aborted: its lease was lost with a request on the wire (delivery unknown); another replica owns this entry now'
        : 'outbox attempt aborted: its lease was lost before anything was sent; another replica owns this entry now',
      { outboxId: entry.id, channel: entry.channel },
    );
  }

  /** Counts the attempt; an outcome the store refused means another replica took the entry over. */
  private outcome(entry: OutboxEntry, result: 'sent' | 'retry' | 'failed', recorded: boolean): void {
    if (recorded) {
      this.metrics.inc('wxnotify_outbox_attempts_total', { result });
      return;
    }
    this.metrics.inc('wxnotify_outbox_attempts_total', { result: 'lease-lost' });
    this.logger.warn('outbox lease lost during an attempt: another replica owns this entry now', { outboxId: entry.id, outcome: result });
  }
}
