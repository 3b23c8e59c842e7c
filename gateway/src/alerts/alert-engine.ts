import { createHash, randomUUID } from 'node:crypto';
import {
  compileAlertTemplate,
  abortMayHaveArrived,
  groupAlerts,
  isAbortError,
  isNotifyError,
  renderAlertDigest,
  alertCardTaskId,
  alertGroupIdOfTask,
  renderAlertCard,
  renderAlertGroup,
  type Alert,
  type AlertBatch,
  type AlertGroup,
  type Clock,
  type Notification,
  type NotifyError,
  type SendResult,
} from '@wxnotify/core';
import type { GatewayLogger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { SendRecorder } from '../services/send-recorder.js';
import type { CodeRecord } from '../store/store.js';
import { deliveryTitle } from '../store/delivery-log.js';
import type { Lease, Leases } from '../store/leases.js';
import { startedDelivery, type AlertStore, type GroupRow } from './alert-store.js';
import { AlertInputError } from './alert-service.js';
import type { AlertCardUpdates } from './card-updates.js';
import { decideFlush, type FlushDecision } from './flush-decision.js';
import { matchesAll, type Matcher } from './matchers.js';
import { alertPaceMs } from './pacing.js';
import { matchRoutes, type RouteMatch, type RoutesConfig } from './routes.js';
import { DEFAULT_ALERT_SETTINGS, parseAlertSettings, type AlertSettings } from './settings.js';
import { AlertTargets, type AlertTarget } from './targets.js';

/** A flush holds its groups this long (renewed while sending); a replica that dies mid-flush frees them when it ends. */
const LEASE_MS = 5 * 60_000;
const BATCH = 500;
const RECALL_WINDOW_MS = 24 * 3600_000;
const SETTINGS_CACHE_MS = 2000;

/** Settings stored with a group: the effective grouping/rendering settings plus the route's fallback. */
type GroupSettings = AlertSettings & { fallback?: string };

interface Flushing {
  group: GroupRow;
  lease: Lease;
  settings: GroupSettings;
  alerts: Alert[];
  decision: FlushDecision;
}

export interface IntakeResult {
  alerts: number;
  groups: number;
  /** Receivers the alerts were routed to (for the answer, no secrets). */
  receivers: string[];
}

/**
 * Alert intake, grouping and delivery with Alertmanager's semantics, all state in the store so a
 * restart loses nothing and replicas share the work: each due group is claimed with a fenced
 * lease, so exactly one replica flushes it. Due groups of one receiver that flush together are
 * coalesced into one digest message; the channel's own pacing (robot 20/min…) holds the rest.
 */
export class AlertEngine {
  private timer?: NodeJS.Timeout;
  private chain: Promise<unknown> = Promise.resolve();
  private pending = false;
  private stopped = false;
  private readonly leases: Leases;
  /** Receiver → clock time before which no new alert message goes to it (see pacing.ts). */
  private readonly paceUntil = new Map<string, number>();
  /** Settings per Code for a few seconds of wall time (a change made on another replica shows within that). */
  private readonly settingsCache = new Map<string, { settings: AlertSettings; until: number }>();
  /** Alert cards' response codes: kept at send, spent on the resolve (set by the bootstrap). */
  cards?: AlertCardUpdates;

  constructor(
    private readonly store: AlertStore,
    private readonly targets: AlertTargets,
    private readonly routes: RoutesConfig | undefined,
    private readonly recorder: SendRecorder,
    private readonly metrics: Metrics,
    private readonly logger: GatewayLogger,
    private readonly clock: Clock,
    private readonly leaseMs = LEASE_MS,
  ) {
    this.leases = store.leases(() => clock.now());
  }

  async settingsFor(codeId: string): Promise<AlertSettings> {
    const cached = this.settingsCache.get(codeId);
    if (cached && cached.until > Date.now()) return { ...cached.settings };
    const raw = await this.store.getSettings(codeId);
    const settings = raw ? { ...DEFAULT_ALERT_SETTINGS, ...(JSON.parse(raw) as AlertSettings) } : { ...DEFAULT_ALERT_SETTINGS };
    if (this.settingsCache.size > 10_000) this.settingsCache.clear();
    this.settingsCache.set(codeId, { settings, until: Date.now() + SETTINGS_CACHE_MS });
    return { ...settings };
  }

  async updateSettings(codeId: string, patch: unknown): Promise<AlertSettings> {
    this.settingsCache.delete(codeId);
    const settings = parseAlertSettings(patch, await this.settingsFor(codeId));
    await this.store.setSettings(codeId, JSON.stringify(settings), this.clock.now());
    this.settingsCache.delete(codeId);
    return settings;
  }

  /** Stores the alerts of one webhook (routed, grouped, de-duplicated). The answer may go out once this resolves. */
  async intake(code: CodeRecord, batch: AlertBatch): Promise<IntakeResult> {
    const now = this.clock.now();
    const base = await this.settingsFor(code.id);
    const buckets = new Map<string, { receiver: string; settings: GroupSettings; alerts: Alert[] }>();
    for (const alert of batch.alerts) {
      const matches: RouteMatch[] = this.routes ? matchRoutes(this.routes, { ...alert.labels, wxnotify_code: code.name }) : [{ settings: {}, path: 'route' }];
      for (const match of matches) {
        const receiver = match.receiver ? AlertTargets.receiverKey(match.receiver) : AlertTargets.codeKey(code.id);
        const key = `${receiver}\n${match.path}`;
        let bucket = buckets.get(key);
        if (!bucket) {
          const settings: GroupSettings = { ...parseAlertSettings(match.settings, base), ...(match.fallback ? { fallback: match.fallback } : {}) };
          buckets.set(key, (bucket = { receiver, settings, alerts: [] }));
        }
        bucket.alerts.push(alert);
      }
    }
    let groups = 0;
    for (const { receiver, settings, alerts } of buckets.values()) {
      for (const group of groupAlerts(alerts, settings.groupBy)) {
        groups++;
        const id = createHash('sha256').update(`${code.id}\n${receiver}\n${group.key}`).digest('hex').slice(0, 32);
        const firing = group.alerts.some((a) => a.status === 'firing');
        const state = await this.store.openGroup({ id, codeId: code.id, receiver, groupKey: group.key, groupLabels: group.labels, settings: JSON.stringify(settings) }, now, now + settings.groupWaitMs, firing);
        // A resolved alert for a group that is already closed has nothing left to say.
        if (state === 'resolved') continue;
        await this.store.putAlerts(id, group.alerts, now);
      }
    }
    this.metrics.inc('wxnotify_alerts_received_total', { format: batch.format }, batch.alerts.length);
    return { alerts: batch.alerts.length, groups, receivers: [...new Set([...buckets.values()].map((b) => b.receiver))] };
  }

  start(pollMs: number): void {
    this.timer = setInterval(() => this.kick(), pollMs);
    this.timer.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.stopped = true;
    await this.chain;
  }

  /** Asks for a flush round soon (after an intake, on the poll timer); rounds never overlap. */
  kick(): void {
    if (this.pending || this.stopped) return;
    this.pending = true;
    void this.flush().catch((error: unknown) => this.logger.error('alert flush failed', { error: error as Error }));
  }

  /** Runs a flush round after the current one; resolves with the messages sent. Tests call it after moving the virtual clock. */
  flush(): Promise<number> {
    const run = this.chain.then(() => {
      this.pending = false;
      return this.flushDue();
    });
    this.chain = run.catch(() => 0);
    return run;
  }

  private async flushDue(): Promise<number> {
    const now = this.clock.now();
    const due = await this.store.dueGroups(now, BATCH);
    const flushing: Flushing[] = [];
    const silencesByCode = new Map<string, Matcher[][]>();
    for (const candidate of due) {
      // Paced receiver: its due groups wait and are coalesced into the next message.
      if ((this.paceUntil.get(candidate.receiver) ?? 0) > now) continue;
      const lease = await this.leases.take(candidate.id, this.leaseMs);
      if (!lease) continue;
      // Read again under the lease: another replica may have flushed it just before.
      const group = await this.store.getGroup(candidate.id);
      if (!group || group.nextFlushAt === null || group.nextFlushAt > now) {
        await this.leases.release(lease);
        continue;
      }
      const settings = { ...DEFAULT_ALERT_SETTINGS, ...(JSON.parse(group.settings) as GroupSettings) };
      let silences = silencesByCode.get(group.codeId);
      if (!silences) silencesByCode.set(group.codeId, (silences = (await this.store.activeSilences(group.codeId, now)).map((s) => s.matchers)));
      const alerts = await this.store.alertsOf(group.id);
      const muted = silences;
      const decision = decideFlush({
        alerts,
        sentFiring: group.sentFiring,
        lastSentAt: group.lastSentAt,
        acknowledged: group.acknowledgedAt !== null,
        sendResolved: settings.sendResolved,
        repeatIntervalMs: settings.repeatIntervalMs,
        now,
        isSilenced: (a) => muted.some((m) => matchesAll(m, a.labels)),
      });
      flushing.push({ group, lease, settings, alerts, decision });
    }
    const byReceiver = new Map<string, Flushing[]>();
    for (const f of flushing) {
      if (f.decision.suppressed) this.metrics.inc('wxnotify_alert_notifications_suppressed_total', { reason: f.decision.suppressed });
      if (!f.decision.reason) {
        await this.finish(f, now, 'nothing');
        continue;
      }
      const list = byReceiver.get(f.group.receiver) ?? [];
      list.push(f);
      byReceiver.set(f.group.receiver, list);
    }
    const sent = await Promise.all([...byReceiver.entries()].map(([receiver, list]) => this.flushReceiver(receiver, list, now)));
    // Card updates waiting for a later try (stored, so also those from before a restart), after the messages.
    await this.cards?.runDue(now).catch((error: unknown) => this.logger.error('alert card updates failed', { error: error as Error }));
    return sent.reduce((a, b) => a + b, 0);
  }

  private async flushReceiver(receiver: string, list: Flushing[], now: number): Promise<number> {
    let target: AlertTarget | undefined;
    try {
      target = await this.targets.resolve(receiver);
    } catch (error) {
      this.logger.warn('alert receiver unavailable', { receiver, error: error as Error });
    }
    if (!target) {
      for (const f of list) await this.finish(f, now, 'failed');
      return 0;
    }
    if (list.some((f) => f.decision.reason === 'all alerts resolved' && f.settings.recallFiring)) await this.recallFiring(target, list, now);
    for (const f of list) if (f.decision.reason === 'all alerts resolved') await this.cards?.resolved(target, f.group, f.settings, now);
    const settings = list[0]!.settings;
    const groups: AlertGroup[] = list.map((f) => ({ key: f.group.groupKey, labels: f.group.groupLabels, alerts: f.decision.snapshot }));
    const render = { channel: target.channelType, language: settings.language, timeZone: settings.timeZone, style: settings.style, mentions: settings.mentions, maxAlerts: settings.maxAlerts };
    const single = groups.length === 1 ? groups[0]! : undefined;
    const notification = single
      ? (withCardButtons(target, list[0]!, single, settings) ??
        (settings.template ? compileAlertTemplate(settings.template, settings.timeZone).render(single, { ...render, now }) : renderAlertGroup(single, render)))
      : renderAlertDigest(groups, { ...render, maxAlerts: undefined });
    if (groups.length > 1) this.metrics.inc('wxnotify_alert_notifications_coalesced_total', {}, groups.length - 1);
    this.paceUntil.set(receiver, now + alertPaceMs(target.channelType));
    const outcome = await this.holdAll(list.map((f) => f.lease), (signal) => this.deliver(target!, notification, {
      codeId: list[0]!.group.codeId,
      groupIds: list.map((f) => f.group.id),
      reason: groups.length === 1 ? list[0]!.decision.reason! : `digest of ${groups.length} groups`,
      alerts: groups.reduce((n, g) => n + g.alerts.length, 0),
      coalesced: groups.length - 1,
      fallback: settings.fallback,
    }, signal));
    if (outcome.leaseLost) {
      // Not ours to record: the groups still held go back as they were (due), the lost ones are the new holder's.
      for (const f of list) await this.leases.release(f.lease);
      return 0;
    }
    if (outcome.ok && notification.type === 'template_card') await this.cards?.sent(list[0]!.group.id, outcome.result?.details);
    for (const f of list) await this.finish(f, now, outcome.ok ? 'sent' : 'failed', outcome.result?.messageIds);
    return outcome.ok ? 1 : 0;
  }

  /**
   * Writes a flush's outcome (fenced by the lease token). A failed send changes nothing, so the
   * next flush (groupInterval later) sends the snapshot again; otherwise resolved alerts are
   * dropped and the group closes once nothing fires.
   */
  private async finish(f: Flushing, now: number, outcome: 'sent' | 'failed' | 'nothing', msgids?: string[]): Promise<void> {
    const failed = outcome === 'failed';
    if (!failed && f.decision.resolvedDone.length) await this.store.deleteAlerts(f.group.id, f.decision.resolvedDone);
    const closes = !failed && f.decision.closes;
    // Without a message, announced alerts that are gone are forgotten, so a re-fire counts as new.
    const sentFiring = outcome === 'sent' ? f.decision.firing : outcome === 'nothing' ? f.group.sentFiring.filter((fp) => f.decision.firing.includes(fp)) : undefined;
    const ok = await this.store.finishFlush(this.leases, f.lease, {
      now,
      nextFlushAt: closes ? null : now + f.settings.groupIntervalMs,
      ...(sentFiring ? { sentFiring } : {}),
      ...(outcome === 'sent' ? { sentAt: now, ...(msgids?.length ? { msgids } : {}) } : {}),
      resolved: closes,
    });
    if (!ok) this.logger.warn('alert group was taken over during a flush', { groupId: f.group.id });
  }

  /**
   * Keeps every lease of a coalesced send renewed while it runs (a paced robot send may wait a
   * minute); `fn`'s signal aborts when any of them is lost.
   */
  private holdAll<T>(leases: Lease[], fn: (signal: AbortSignal) => Promise<T>, held: AbortSignal[] = []): Promise<T> {
    const [first, ...rest] = leases;
    return first ? this.leases.hold(first, this.leaseMs, (signal) => this.holdAll(rest, fn, [...held, signal])) : fn(AbortSignal.any(held));
  }

  private async recallFiring(target: AlertTarget, list: Flushing[], now: number): Promise<void> {
    for (const f of list) {
      if (f.decision.reason !== 'all alerts resolved' || !f.settings.recallFiring || !target.recall) continue;
      if (f.group.firingSentAt === null || now - f.group.firingSentAt >= RECALL_WINDOW_MS) continue;
      for (const msgid of f.group.firingMsgids) {
        try {
          if (await target.recall(msgid)) this.metrics.inc('wxnotify_alert_recalls_total', { result: 'ok' });
        } catch (error) {
          this.metrics.inc('wxnotify_alert_recalls_total', { result: 'error' });
          this.logger.warn('alert recall failed', { receiver: target.key, error: error as Error });
        }
      }
    }
  }

  /**
   * Sends one message and logs it; a permanent failure goes to the route's fallback receiver.
   * `signal` (a flush's leases): when it aborts the send, the row says so and nothing else is tried.
   */
  async deliver(
    target: AlertTarget,
    notification: Notification<unknown, unknown>,
    meta: { codeId: string; groupIds: string[]; reason: string; alerts: number; coalesced: number; fallback?: string; resendOf?: string },
    signal?: AbortSignal,
  ): Promise<{ ok: boolean; result?: SendResult; deliveryId: string; leaseLost?: boolean }> {
    const now = this.clock.now();
    const id = randomUUID();
    await this.store.addDelivery(
      startedDelivery({
        id,
        codeId: meta.codeId,
        receiver: target.label,
        channel: target.channelType,
        recipients: target.recipients,
        groupIds: meta.groupIds,
        title: deliveryTitle(notification),
        reason: meta.reason,
        notification: JSON.stringify({ target: target.key, notification }),
        alerts: meta.alerts,
        coalesced: meta.coalesced,
        resendOf: meta.resendOf ?? null,
        createdAt: now,
      }),
    );
    try {
      const result = await this.recorder.record(target.channelType, () => target.send(notification, signal ? { signal } : undefined), { alertDelivery: id });
      await this.store.finishDelivery(id, { status: 'sent', parts: result.parts, upstreamCode: '0', retries: result.retries, error: null, messageIds: result.messageIds, updatedAt: this.clock.now() });
      this.metrics.inc('wxnotify_alert_notifications_total', { result: 'sent' });
      return { ok: true, result, deliveryId: id };
    } catch (error) {
      if (signal?.aborted && isAbortError(error)) return this.abortedByLeaseLoss(id, meta.groupIds, error as NotifyError);
      const code = isNotifyError(error) ? String(error.code) : 'INTERNAL';
      const partial = isNotifyError(error) ? error.partial : undefined;
      await this.store.finishDelivery(id, {
        status: 'failed',
        parts: partial?.parts ?? 0,
        upstreamCode: code,
        retries: partial?.retries ?? 0,
        error: isNotifyError(error) ? error.message : 'internal error',
        hint: isNotifyError(error) ? (error.hint ?? null) : null,
        messageIds: partial?.messageIds ?? [],
        updatedAt: this.clock.now(),
      });
      this.metrics.inc('wxnotify_alert_notifications_total', { result: 'failed' });
      const permanent = isNotifyError(error) && !error.retryable;
      if (permanent && meta.fallback) {
        try {
          const fallback = await this.targets.resolve(AlertTargets.receiverKey(meta.fallback));
          const rendered = { ...notification };
          const again = await this.deliver(fallback, rendered, { ...meta, fallback: undefined, reason: `${meta.reason} (fallback after ${code})` });
          return again;
        } catch (fallbackError) {
          this.logger.warn('alert fallback unavailable', { fallback: meta.fallback, error: fallbackError as Error });
        }
      }
      return { ok: false, deliveryId: id };
    }
  }

  /**
   * A flush that lost a lease mid-send: the send was aborted and another replica sends these
   * groups. `unconfirmed` when a request was on the wire (it may have arrived), else `lease-lost`.
   */
  private async abortedByLeaseLoss(id: string, groupIds: string[], error: NotifyError): Promise<{ ok: false; deliveryId: string; leaseLost: true }> {
    const partial = error.partial;
    const status = abortMayHaveArrived(error) ? 'unconfirmed' : 'lease-lost';
    await this.store.finishDelivery(id, {
      status,
      parts: partial?.parts ?? 0,
      upstreamCode: String(error.code),
      retries: partial?.retries ?? 0,
      error: status === 'unconfirmed' ? 'lease lost with a request on the wire (delivery unknown): another replica sends these groups' : 'lease lost before sending: another replica sends these groups',
      messageIds: partial?.messageIds ?? [],
      updatedAt: this.clock.now(),
    });
    this.metrics.inc('wxnotify_alert_notifications_total', { result: status });
    this.logger.warn(`alert flush aborted: a group's lease was lost (${status}); another replica sends it`, { alertDelivery: id, groupIds });
    return { ok: false, deliveryId: id, leaseLost: true };
  }

  /** Sends a logged message again, to the same receiver. */
  async resend(deliveryId: string): Promise<{ ok: boolean; deliveryId: string } | undefined> {
    const row = await this.store.getDelivery(deliveryId);
    if (!row) return undefined;
    const stored = JSON.parse(row.notification) as { target: string; notification: Notification<unknown, unknown>; cardUpdate?: boolean };
    if (stored.cardUpdate) throw new AlertInputError('id', 'this row records a card update, not a message: there is nothing to resend');
    const target = await this.targets.resolve(stored.target);
    const out = await this.deliver(target, asResend(target, withFreshTaskId(stored.notification)), { codeId: row.codeId, groupIds: row.groupIds, reason: 'resend', alerts: row.alerts, coalesced: row.coalesced, resendOf: row.id });
    return { ok: out.ok, deliveryId: out.deliveryId };
  }
}

/**
 * A firing group for a WeCom app Code becomes a card with 确认 / 静默 1 小时 buttons (the click
 * comes back on the callback route: AlertCardActions). Other styles than the default stay as set.
 */
function withCardButtons(target: AlertTarget, f: Flushing, group: AlertGroup, settings: GroupSettings): Notification<unknown, unknown> | undefined {
  if (!target.cards || (settings.style ?? 'textcard') !== 'textcard' || !group.alerts.some((a) => a.status === 'firing')) return undefined;
  const card = renderAlertCard(group, { groupId: f.group.id, language: settings.language, timeZone: settings.timeZone, maxAlerts: settings.maxAlerts });
  return { type: 'template_card', content: '', title: String((card.main_title as { title: string }).title), options: { templateCard: card } };
}

/** A resend is asked for on purpose: WeCom's duplicate check (300 s) would answer ok and deliver nothing. */
function asResend(target: AlertTarget, n: Notification<unknown, unknown>): Notification<unknown, unknown> {
  return target.channelType === 'wecom-app' ? { ...n, options: { ...(n.options as object | undefined), duplicateCheck: false } } : n;
}

/** A card sent again needs a task id of its own (WeCom never accepts one twice). */
function withFreshTaskId(n: Notification<unknown, unknown>): Notification<unknown, unknown> {
  const card = (n.options as { templateCard?: { task_id?: string } } | undefined)?.templateCard;
  const groupId = typeof card?.task_id === 'string' ? alertGroupIdOfTask(card.task_id) : undefined;
  return groupId ? { ...n, options: { ...(n.options as object), templateCard: { ...card, task_id: alertCardTaskId(groupId) } } } : n;
}
