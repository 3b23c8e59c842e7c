import { randomUUID } from 'node:crypto';
import { abortMayHaveArrived, alertCardResultText, isNotifyError, type AlertLanguage, type Clock, type TemplateCardUpdate } from '@wxnotify/core';
import type { GatewayLogger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Leases } from '../store/leases.js';
import { CARD_CODE_TTL_MS, startedDelivery, type AlertStore, type CardUpdateDue, type DeliveryRow, type GroupRow } from './alert-store.js';
import type { AlertTarget, AlertTargets } from './targets.js';

/** Waits before each further try of an update WeCom answered with a retryable error (the client has already retried within its call). */
export const CARD_UPDATE_RETRY_DELAYS_MS: readonly number[] = [30_000, 120_000, 600_000, 3_600_000];

export interface CardUpdateJob {
  group: Pick<GroupRow, 'id' | 'codeId'>;
  target: AlertTarget;
  /** One response code (from the send or from a click) and the line that replaces the buttons. */
  update: TemplateCardUpdate & { issuedAt: number; replaceButton: string };
  /** The card's task id, when known (kept with the code). */
  taskId?: string;
  /** The delivery-log reason, e.g. "acknowledged by lisi (card button)". */
  reason: string;
  /** Metric label: what asked for the update. */
  kind: 'click' | 'resolved';
}

/** Waiting updates tried per round of the alert loop. */
const DUE_BATCH = 50;
const LEASE_MS = 60_000;

/**
 * Card updates (message/update_template_card) with their outcome in the delivery log. A code is
 * worth one update: it is tried again only when WeCom answered with a retryable error (so the code
 * was not spent), after a bounded backoff on the injected clock and only while the code is younger
 * than 72 h. A waiting try is a row in alert_card_codes with a due time, made by the alert loop's
 * next round after it is due (`runDue`), on whichever replica takes its lease — also after a
 * restart. An update that got no answer (`UPDATE_OUTCOME_UNKNOWN`: WeCom may have applied it and
 * spent the code) is never tried again and is logged as unconfirmed; one WeCom refused is logged
 * as "card not updated: <hint>".
 */
export class AlertCardUpdates {
  private readonly waiting = new Set<Promise<void>>();
  private readonly leases: Leases;

  constructor(
    private readonly store: AlertStore,
    private readonly targets: Pick<AlertTargets, 'resolve'>,
    private readonly metrics: Metrics,
    private readonly logger: GatewayLogger,
    private readonly clock: Clock,
    private readonly delaysMs: readonly number[] = CARD_UPDATE_RETRY_DELAYS_MS,
  ) {
    this.leases = store.cardCodeLeases(() => clock.now());
  }

  /** Logs the update and makes its first try; a retryable failure is scheduled for a later round. */
  async apply(job: CardUpdateJob): Promise<void> {
    const id = randomUUID();
    const now = this.clock.now();
    await this.store.addDelivery(row(id, job, now));
    await this.attemptLogged(id, job, 0);
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
    const codes = await this.store.takeCardCodes(group.id, now);
    if (!codes.length) return;
    const line = alertCardResultText('resolved', '', now, words);
    this.track(
      (async () => {
        for (const code of codes) {
          await this.apply({ group, target, taskId: code.taskId, update: { responseCode: code.responseCode, issuedAt: code.issuedAt, replaceButton: line }, reason: 'resolved: firing card updated for every recipient', kind: 'resolved' });
        }
      })(),
    );
  }

  /** Makes the waiting updates that are due (a round of the alert loop); each on one replica only, under its row's lease. */
  async runDue(now: number): Promise<number> {
    await this.store.pruneCardCodes(now);
    let tried = 0;
    for (const due of await this.store.dueCardUpdates(now, DUE_BATCH)) {
      const lease = await this.leases.take(due.responseCode, LEASE_MS);
      if (!lease) continue;
      // Not due any more once taken: a crash during the try leaves the code alone (it may have been spent).
      const fence = this.leases.fence(lease);
      if ((await this.store.clearCardUpdateDue(fence, now)) !== 1) {
        await this.leases.release(lease);
        continue;
      }
      tried++;
      const job = await this.jobOf(due);
      await (job ? this.attemptLogged(due.deliveryId, job, due.retries + 1) : this.finishLogged(due, new Error('the alert group or its receiver is gone')));
      await this.leases.release(lease);
    }
    return tried;
  }

  /** Waits for the first tries still running (shutdown). Scheduled tries stay in the store. */
  async stop(): Promise<void> {
    await Promise.all([...this.waiting]);
  }

  /** One try of `job` (the `retries`-th later one); schedules the next or records the outcome. */
  private async attemptLogged(id: string, job: CardUpdateJob, retries: number): Promise<void> {
    if (!job.target.cards) return this.finish(id, job, retries, new Error('the receiver has no WeCom app of its own'));
    if (this.clock.now() - job.update.issuedAt >= CARD_CODE_TTL_MS) return this.finish(id, job, retries, expired());
    const error = await this.attempt(job);
    if (error === undefined || !this.mayRetry(job, error, retries)) return this.finish(id, job, retries, error);
    const dueAt = this.clock.now() + this.delayFor(error, retries);
    await this.store.scheduleCardUpdate(
      { responseCode: job.update.responseCode, groupId: job.group.id, ...(job.taskId ? { taskId: job.taskId } : {}), issuedAt: job.update.issuedAt, line: job.update.replaceButton, reason: job.reason, kind: job.kind, deliveryId: id, retries, dueAt },
      this.clock.now(),
    );
    await this.store.finishDelivery(id, { ...pending(error), retries, updatedAt: this.clock.now() });
  }

  private async jobOf(due: CardUpdateDue): Promise<CardUpdateJob | undefined> {
    const group = await this.store.getGroup(due.groupId);
    const target = group ? await this.targets.resolve(group.receiver).catch(() => undefined) : undefined;
    if (!group || !target) return undefined;
    return { group, target, ...(due.taskId ? { taskId: due.taskId } : {}), update: { responseCode: due.responseCode, issuedAt: due.issuedAt, replaceButton: due.line }, reason: due.reason, kind: due.kind };
  }

  private async finishLogged(due: CardUpdateDue, error: Error): Promise<void> {
    this.metrics.inc('wxnotify_alert_card_updates_total', { kind: due.kind, result: 'failed' });
    await this.store.finishDelivery(due.deliveryId, { status: 'failed', parts: 0, upstreamCode: 'INTERNAL', retries: due.retries + 1, error: `card not updated: ${error.message}`, messageIds: [], updatedAt: this.clock.now() });
  }

  private async attempt(job: CardUpdateJob): Promise<unknown> {
    try {
      await job.target.cards!.update(job.update);
      return undefined;
    } catch (error) {
      return error ?? new Error('card update failed');
    }
  }

  /** Only retryable failures that did not reach WeCom (the code is unspent), while tries are left and the code still lives at the next try. */
  private mayRetry(job: CardUpdateJob, error: unknown, retries: number): boolean {
    if (!isNotifyError(error) || !error.retryable || abortMayHaveArrived(error) || retries >= this.delaysMs.length) return false;
    return this.clock.now() + this.delayFor(error, retries) - job.update.issuedAt < CARD_CODE_TTL_MS;
  }

  private delayFor(error: unknown, retries: number): number {
    const after = isNotifyError(error) ? (error.retryAfterMs ?? 0) : 0;
    return Math.max(this.delaysMs[retries] ?? 0, after);
  }

  private async finish(id: string, job: CardUpdateJob, retries: number, error: unknown): Promise<void> {
    // No answer: WeCom may have applied the update (the card may show the line); not "not updated".
    const unknown = isNotifyError(error) && abortMayHaveArrived(error);
    const result = error === undefined ? 'ok' : unknown ? 'unconfirmed' : 'failed';
    this.metrics.inc('wxnotify_alert_card_updates_total', { kind: job.kind, result });
    if (error !== undefined) this.logger.warn(unknown ? 'alert card update unconfirmed' : 'alert card not updated', { groupId: job.group.id, kind: job.kind, retries, error: error as Error });
    await this.store.finishDelivery(id, {
      status: error === undefined ? 'sent' : unknown ? 'unconfirmed' : 'failed',
      parts: error === undefined ? 1 : 0,
      upstreamCode: error === undefined ? '0' : isNotifyError(error) ? String(error.code) : 'INTERNAL',
      retries,
      error: error === undefined ? null : `${unknown ? 'card update unconfirmed' : 'card not updated'}: ${hintOf(error)}`,
      messageIds: [],
      updatedAt: this.clock.now(),
    });
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => this.logger.error('alert card update failed', { error: error as Error }));
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
  return error.hint ?? error.message;
}

function expired(): Error {
  return new Error('response_code 已超过 72 小时，卡片无法再更新。 / The response code is older than 72 h; the card can no longer be updated.');
}
