import { randomUUID } from 'node:crypto';
import { isNotifyError, redactUrl, type Clock, type Notification, type SendResult } from '@wxnotify/core';
import { startedDelivery, type AlertStore, type DeliveryRow } from '../alerts/alert-store.js';
import type { GatewayLogger } from '../observability/logger.js';

/** Where a logged send went, and how to send it again (`target`: `code:<id>` or `channel:<name>`, see AlertTargets). */
export interface DeliveryMeta {
  target: string;
  /** The Code's id; empty for sends through a named channel. */
  codeId?: string;
  /** The Code's name or the channel's name. */
  receiver: string;
  /** Channel type (wecom-app, wecom-bot, wxpusher, …). */
  channel: string;
  recipients?: unknown;
  /** The route that sent it, e.g. `POST /api/notify/{code}`. */
  reason: string;
}

/** What an outbox attempt came to (reported by the OutboxWorker). */
export type OutboxOutcome = { result: SendResult; attempts: number } | { error: unknown; attempts: number; final: boolean };

/** Which sends are logged: every one, only alert and card rows (written by the alert engine), or none. */
export type DeliveryLogMode = 'all' | 'alerts' | 'off';

export interface DeliveryLogOptions {
  /** `all` when not given. With `alerts` or `off` this log writes nothing (alert rows are the AlertStore's). */
  mode?: DeliveryLogMode;
  /** Rows kept at most (the newest). */
  maxRows: number;
  /** Rows older than this are removed (ms). */
  maxAgeMs: number;
  /** How long rows of synchronous sends wait in memory before one batched write (ms; 500 when not given). */
  flushMs?: number;
}

const TITLE_MAX_CHARS = 120;
/** Rows kept in memory while the store cannot be written; past this new rows are dropped (and counted in the log). */
const MAX_BUFFERED = 5000;
const PRUNE_EVERY_MS = 60_000;
/**
 * A write starts before `flushMs` once this many rows wait. Each write is one commit (two fsyncs on
 * the embedded store, the largest cost per row in small batches); a batch of 1,000 rows holds the
 * event loop for roughly 20 ms there.
 */
const FLUSH_ROWS = 1000;

/** The first line of a notification, without markup, masked (Codes and keys in URLs), cut short. */
export function deliveryTitle(n: Pick<Notification<unknown, unknown>, 'title' | 'content'>, maxChars = 200): string {
  const first = (n.title ?? n.content.split('\n').find((l) => l.trim()) ?? '').replace(/<[^>]+>|\*\*/g, '').trim();
  const cut = redactUrl(first).slice(0, maxChars);
  // Not half an emoji (a lone surrogate): it is not valid UTF-8 in the store.
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/**
 * The gateway's one delivery log: every message it sent (alerts, `POST /api/notify…`, named
 * channels, the outbox, test sends), newest first on the page. Synchronous sends are logged once
 * their outcome is known and written in batches (one statement per batch, every `flushMs` or
 * FLUSH_ROWS rows, after the current event-loop turn), so the request path only builds a row.
 * Retention: the newest `maxRows`, none older than `maxAgeMs`.
 * Rows hold no secrets: Codes and keys are never in them, titles are masked and cut short.
 */
export class DeliveryLog {
  private buffer: DeliveryRow[] = [];
  private timer?: NodeJS.Timeout;
  private pruneTimer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private lastPrune = -Infinity;
  private sincePrune = 0;
  private dropped = 0;
  private failing = false;
  private readonly flushMs: number;
  private readonly logsSends: boolean;

  constructor(
    private readonly store: AlertStore,
    private readonly clock: Clock,
    private readonly logger: GatewayLogger,
    private readonly options: DeliveryLogOptions,
  ) {
    this.flushMs = options.flushMs ?? 500;
    this.logsSends = (options.mode ?? 'all') === 'all';
  }

  /** Prunes now and then every few minutes (also after writes, see flush). */
  start(): void {
    void this.prune().catch(() => undefined);
    this.pruneTimer = setInterval(() => void this.prune().catch(() => undefined), 5 * PRUNE_EVERY_MS);
    this.pruneTimer.unref();
  }

  /** Writes what is buffered and stops the timers. */
  async stop(): Promise<void> {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    await this.flush().catch(() => undefined);
  }

  /** Runs a send and logs its outcome: sent, coalesced (merged by a quota) or failed with the error's code and hint. */
  async record(meta: DeliveryMeta, notification: Notification<unknown, unknown>, send: () => Promise<SendResult>): Promise<SendResult> {
    if (!this.logsSends) return send();
    try {
      const result = await send();
      this.add(Object.assign(this.row(meta, notification), succeeded(result, 0)));
      return result;
    } catch (error) {
      this.add(Object.assign(this.row(meta, notification), failed(error, 0)));
      throw error;
    }
  }

  /** An accepted asynchronous send (outbox entry `id`): written before the 202 answer, so any replica's worker can settle it. */
  async queued(id: string, meta: DeliveryMeta, notification: Notification<unknown, unknown>): Promise<void> {
    if (!this.logsSends) return;
    await this.store.addDelivery(Object.assign(this.row(meta, notification), { id, status: 'queued' as const }));
  }

  /** The outcome of an outbox attempt on its row: sent, queued again (with the attempt's error) or failed. Never throws. */
  async settle(id: string, outcome: OutboxOutcome): Promise<void> {
    if (!this.logsSends) return;
    const retries = Math.max(0, outcome.attempts - 1);
    const patch = 'result' in outcome ? succeeded(outcome.result, retries) : { ...failed(outcome.error, retries), ...(outcome.final ? {} : { status: 'queued' as const }) };
    try {
      await this.store.finishDelivery(id, { ...patch, updatedAt: this.clock.now() });
    } catch (error) {
      this.logger.warn('delivery log: outbox outcome not recorded', { outboxId: id, error: error as Error });
    }
  }

  /** Writes the buffered rows (the page's list calls this first, so it shows every send made so far). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const run = this.flushing.then(() => this.write());
    this.flushing = run.catch(() => undefined);
    return run;
  }

  /** Removes rows past the retention limits; returns how many. */
  async prune(): Promise<number> {
    const now = this.clock.now();
    this.lastPrune = now;
    this.sincePrune = 0;
    const removed = await this.store.pruneDeliveries(now - this.options.maxAgeMs, this.options.maxRows);
    if (removed > 0) this.logger.debug('delivery log pruned', { removed });
    return removed;
  }

  private add(row: DeliveryRow): void {
    // Full only while the store cannot be written: the newest rows are the ones not kept (counted).
    if (this.buffer.length >= MAX_BUFFERED) {
      this.dropped++;
      return;
    }
    this.buffer.push(row);
    if (this.buffer.length === FLUSH_ROWS) {
      // After this turn of the event loop, so that the answers of the sends just made go out first.
      setImmediate(() => void this.flush().catch(() => undefined));
      return;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush().catch(() => undefined), this.flushMs);
      this.timer.unref();
    }
  }

  private async write(): Promise<void> {
    const rows = this.buffer;
    if (rows.length === 0) return;
    this.buffer = [];
    try {
      await this.store.addDeliveries(rows);
    } catch (error) {
      // The store is away: keep the rows (bounded) for the next flush, and say so once.
      this.buffer = [...rows, ...this.buffer].slice(0, MAX_BUFFERED);
      if (!this.failing) this.logger.warn('delivery log: rows not written yet, kept for the next try', { rows: rows.length, error: error as Error });
      this.failing = true;
      if (!this.timer) {
        this.timer = setTimeout(() => void this.flush().catch(() => undefined), Math.max(this.flushMs, 5000));
        this.timer.unref();
      }
      throw error;
    }
    if (this.failing || this.dropped) this.logger.info('delivery log: writing again', { dropped: this.dropped });
    this.failing = false;
    this.dropped = 0;
    this.sincePrune += rows.length;
    if (this.sincePrune < Math.max(1, Math.ceil(this.options.maxRows / 10)) && this.clock.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    await this.prune().catch((error: unknown) => this.logger.warn('delivery log: pruning failed', { error: error as Error }));
  }

  private row(meta: DeliveryMeta, notification: Notification<unknown, unknown>): DeliveryRow {
    return startedDelivery({
      id: randomUUID(),
      codeId: meta.codeId ?? '',
      receiver: meta.receiver,
      channel: meta.channel,
      recipients: meta.recipients ?? null,
      groupIds: [],
      title: deliveryTitle(notification, TITLE_MAX_CHARS),
      reason: meta.reason,
      notification: JSON.stringify({ target: meta.target, notification }),
      alerts: 0,
      coalesced: 0,
      resendOf: null,
      createdAt: this.clock.now(),
    });
  }
}

type Outcome = Pick<DeliveryRow, 'status' | 'coalesced' | 'parts' | 'upstreamCode' | 'retries' | 'error' | 'hint' | 'messageIds'>;

function succeeded(result: SendResult, retries: number): Outcome {
  return {
    status: result.coalesced ? 'coalesced' : 'sent',
    coalesced: result.coalesced?.items ?? 0,
    parts: result.parts,
    upstreamCode: '0',
    retries: retries + result.retries,
    error: null,
    hint: null,
    messageIds: result.messageIds,
  };
}

function failed(error: unknown, retries: number): Outcome {
  const partial = isNotifyError(error) ? error.partial : undefined;
  return {
    status: 'failed',
    coalesced: 0,
    parts: partial?.parts ?? 0,
    upstreamCode: isNotifyError(error) ? String(error.code) : 'INTERNAL',
    retries: retries + (partial?.retries ?? 0),
    error: isNotifyError(error) ? redactUrl(error.message) : 'internal error',
    hint: isNotifyError(error) ? (error.hint ?? null) : null,
    messageIds: partial?.messageIds ?? [],
  };
}
