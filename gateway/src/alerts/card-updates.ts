import { randomUUID } from 'node:crypto';
import { alertCardResultText, isNotifyError, WECOM_APP_LIMITS, type AlertLanguage, type Clock, type TemplateCardUpdate } from '@wxnotify/core';
import type { GatewayLogger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import { startedDelivery, type AlertStore, type DeliveryRow, type GroupRow } from './alert-store.js';
import type { AlertTarget } from './targets.js';

/** Waits before each further try of an update WeCom answered with a retryable error (the client has already retried within its call). */
export const CARD_UPDATE_RETRY_DELAYS_MS: readonly number[] = [30_000, 120_000, 600_000, 3_600_000];
const CODE_TTL_MS = WECOM_APP_LIMITS.cardResponseCodeTtlSeconds * 1000;

export interface CardUpdateJob {
  group: Pick<GroupRow, 'id' | 'codeId'>;
  target: AlertTarget;
  /** One response code (from the send or from a click) and the line that replaces the buttons. */
  update: TemplateCardUpdate & { issuedAt: number; replaceButton: string };
  /** The delivery-log reason, e.g. "acknowledged by lisi (card button)". */
  reason: string;
  /** Metric label: what asked for the update. */
  kind: 'click' | 'resolved';
}

/**
 * Card updates (message/update_template_card) with their outcome in the delivery log. A code is
 * worth one update: it is tried again only when WeCom answered with a retryable error (so the code
 * was not spent), after a bounded backoff on the injected clock and only while the code is younger
 * than 72 h. An update that got no answer (network, bare HTTP error) may have spent the code and is
 * not tried again; neither is one WeCom refused. Those show as "card not updated: <hint>".
 * The retries live in this process: a restart while one waits leaves that card as it was.
 */
export class AlertCardUpdates {
  private readonly stopping = new AbortController();
  private readonly waiting = new Set<Promise<void>>();

  constructor(
    private readonly store: AlertStore,
    private readonly metrics: Metrics,
    private readonly logger: GatewayLogger,
    private readonly clock: Clock,
    private readonly delaysMs: readonly number[] = CARD_UPDATE_RETRY_DELAYS_MS,
  ) {}

  /** Logs the update and makes its first try; further tries, if any, run in the background. */
  async apply(job: CardUpdateJob): Promise<void> {
    const id = randomUUID();
    const now = this.clock.now();
    await this.store.addDelivery(row(id, job, now));
    if (!job.target.cards) return this.finish(id, job, 0, new Error('the receiver has no WeCom app of its own'));
    if (now - job.update.issuedAt >= CODE_TTL_MS) return this.finish(id, job, 0, expired());
    const error = await this.attempt(job);
    if (error === undefined || !this.mayRetry(job, error, 0)) return this.finish(id, job, 0, error);
    await this.store.finishDelivery(id, { ...pending(error), retries: 0, updatedAt: this.clock.now() });
    this.track(this.retry(id, job, error));
  }

  /** A firing card went out: its send's response code is kept, so the card can show the resolve later. */
  async sent(groupId: string, details: unknown): Promise<void> {
    const d = details as { taskId?: unknown; responseCode?: unknown; issuedAt?: unknown } | undefined;
    if (typeof d?.taskId !== 'string' || typeof d.responseCode !== 'string' || typeof d.issuedAt !== 'number') return;
    await this.store.addCardCode(groupId, { taskId: d.taskId, responseCode: d.responseCode, issuedAt: d.issuedAt }, this.clock.now());
  }

  /**
   * The group resolved: each of its firing cards (kept codes) shows "已恢复 HH:MM" for every
   * recipient. The codes are taken now (under the flush lease); the updates run in the background,
   * so the resolved message does not wait for them.
   */
  async resolved(target: AlertTarget, group: Pick<GroupRow, 'id' | 'codeId'>, words: { language?: AlertLanguage; timeZone?: string }, now: number): Promise<void> {
    const codes = await this.store.takeCardCodes(group.id);
    if (!codes.length) return;
    const line = alertCardResultText('resolved', '', now, words);
    this.track(
      (async () => {
        for (const code of codes) {
          await this.apply({ group, target, update: { responseCode: code.responseCode, issuedAt: code.issuedAt, replaceButton: line }, reason: 'resolved: firing card updated for every recipient', kind: 'resolved' });
        }
      })(),
    );
  }

  /** Ends the waits (shutdown); an update waiting for its next try is recorded as not updated. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.all([...this.waiting]);
  }

  private async retry(id: string, job: CardUpdateJob, first: unknown): Promise<void> {
    let error: unknown = first;
    let retries = 0;
    while (error !== undefined && this.mayRetry(job, error, retries)) {
      await this.clock.sleep(this.delayFor(error, retries), this.stopping.signal);
      if (this.stopping.signal.aborted) break;
      retries++;
      error = await this.attempt(job);
    }
    await this.finish(id, job, retries, error);
  }

  private async attempt(job: CardUpdateJob): Promise<unknown> {
    try {
      await job.target.cards!.update(job.update);
      return undefined;
    } catch (error) {
      return error ?? new Error('card update failed');
    }
  }

  /** Only errors WeCom answered (the code is unspent), while tries are left and the code still lives at the next try. */
  private mayRetry(job: CardUpdateJob, error: unknown, retries: number): boolean {
    if (!isNotifyError(error) || !error.retryable || error.kind !== 'upstream' || retries >= this.delaysMs.length) return false;
    if (this.stopping.signal.aborted) return false;
    return this.clock.now() + this.delayFor(error, retries) - job.update.issuedAt < CODE_TTL_MS;
  }

  private delayFor(error: unknown, retries: number): number {
    const after = isNotifyError(error) ? (error.retryAfterMs ?? 0) : 0;
    return Math.max(this.delaysMs[retries] ?? 0, after);
  }

  private async finish(id: string, job: CardUpdateJob, retries: number, error: unknown): Promise<void> {
    const result = error === undefined ? 'ok' : 'failed';
    this.metrics.inc('wxnotify_alert_card_updates_total', { kind: job.kind, result });
    if (error !== undefined) this.logger.warn('alert card not updated', { groupId: job.group.id, kind: job.kind, retries, error: error as Error });
    await this.store.finishDelivery(id, {
      status: error === undefined ? 'sent' : 'failed',
      parts: error === undefined ? 1 : 0,
      upstreamCode: error === undefined ? '0' : isNotifyError(error) ? String(error.code) : 'INTERNAL',
      retries,
      error: error === undefined ? null : `card not updated: ${hintOf(error)}`,
      messageIds: [],
      updatedAt: this.clock.now(),
    });
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => this.logger.error('alert card update retry failed', { error: error as Error }));
    this.waiting.add(tracked);
    void tracked.finally(() => this.waiting.delete(tracked));
  }
}

function row(id: string, job: CardUpdateJob, now: number): DeliveryRow {
  const line = job.update.replaceButton;
  const { target } = job;
  return startedDelivery({
    id,
    codeId: job.group.codeId,
    receiver: target.label,
    channel: target.channelType,
    recipients: target.recipients,
    groupIds: [job.group.id],
    title: line,
    reason: job.reason,
    // Marked so a resend from the log refuses it (it was never a message).
    notification: JSON.stringify({ target: target.key, cardUpdate: true, notification: { content: line, format: 'text' } }),
    alerts: 0,
    coalesced: 0,
    resendOf: null,
    createdAt: now,
  });
}

function pending(error: unknown): Pick<DeliveryRow, 'status' | 'parts' | 'upstreamCode' | 'error' | 'messageIds'> {
  return { status: 'sending', parts: 0, upstreamCode: isNotifyError(error) ? String(error.code) : null, error: `card not updated yet, trying again: ${hintOf(error)}`, messageIds: [] };
}

/** The short, actionable part of an error (NotifyError hints are Chinese-first; never a secret). */
function hintOf(error: unknown): string {
  if (!isNotifyError(error)) return error instanceof Error ? error.message : 'internal error';
  if (error.kind === 'network' || error.kind === 'http') return `企业微信未应答，response_code 可能已被使用，不再重试。 / No answer from WeCom (${error.code}); the code may have been used, so it is not tried again.`;
  return error.hint ?? error.message;
}

function expired(): Error {
  return new Error('response_code 已超过 72 小时，卡片无法再更新。 / The response code is older than 72 h; the card can no longer be updated.');
}
