import { randomUUID } from 'node:crypto';
import {
  ALERT_CARD_SILENCE_MS,
  alertCardResultText,
  alertGroupIdOfTask,
  isAlertCardAction,
  isNotifyError,
  TemplateCardInbox,
  type AlertCardAction,
  type Clock,
  type TemplateCardEvent,
  type WeComCallbackMessage,
} from '@wxnotify/core';
import type { GatewayLogger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { AlertService } from './alert-service.js';
import type { AlertStore, GroupRow } from './alert-store.js';
import type { Matcher } from './matchers.js';
import { DEFAULT_ALERT_SETTINGS, type AlertSettings } from './settings.js';
import type { AlertTarget, AlertTargets } from './targets.js';

/**
 * Clicks on alert cards, from the verified WeCom callback route: 确认 acknowledges the group (no
 * more repeats), 静默 1 小时 silences its labels for an hour; then the card is updated for every
 * recipient with who acted, and the action is written to the alert history (acknowledgedBy, the
 * silence's createdBy) and the delivery log. A click must come from the Code's own app (CorpID and
 * AgentID); redeliveries and double taps act once. A second member's click on an already
 * acknowledged group shows the first acknowledgement again.
 */
export class AlertCardActions {
  private readonly inbox: TemplateCardInbox;

  constructor(
    private readonly service: AlertService,
    private readonly store: AlertStore,
    private readonly targets: AlertTargets,
    private readonly metrics: Metrics,
    private readonly logger: GatewayLogger,
    private readonly clock: Clock,
  ) {
    this.inbox = new TemplateCardInbox();
  }

  /** Handles one decrypted WeCom callback; anything that is not a click on an alert card is left alone. */
  async handle(message: WeComCallbackMessage): Promise<void> {
    const receipt = this.inbox.accept(message);
    if (!receipt || receipt.duplicate) return;
    const { event } = receipt;
    const groupId = alertGroupIdOfTask(event.taskId);
    if (!groupId || !isAlertCardAction(event.eventKey) || event.event !== 'template_card_event') return;
    const action = event.eventKey;
    const group = await this.store.getGroup(groupId);
    const target = group ? await this.targets.resolve(group.receiver).catch(() => undefined) : undefined;
    if (!group || !target?.cards || target.cards.corpId !== event.corpId || target.cards.agentId !== event.agentId) {
      this.metrics.inc('wxnotify_alert_card_actions_total', { action, result: 'ignored' });
      this.logger.warn('alert card click ignored (unknown group, or not from the Code’s app)', { groupId, userId: event.userId });
      return;
    }
    const settings = { ...DEFAULT_ALERT_SETTINGS, ...(JSON.parse(group.settings) as Partial<AlertSettings>) };
    const text = await this.act(action, group, event, settings);
    let error: unknown;
    try {
      await target.cards.update({ responseCode: event.responseCode, issuedAt: event.createTime * 1000, replaceButton: text });
    } catch (failure) {
      error = failure;
      this.logger.warn('alert card update failed', { groupId, error: failure as Error });
    }
    this.metrics.inc('wxnotify_alert_card_actions_total', { action, result: error === undefined ? 'done' : 'updated_failed' });
    await this.log(group, target, action, event.userId, text, error);
  }

  /** Acknowledges or silences; returns the line the card shows. */
  private async act(action: AlertCardAction, group: GroupRow, event: TemplateCardEvent, settings: AlertSettings): Promise<string> {
    const now = this.clock.now();
    const words = { language: settings.language, timeZone: settings.timeZone };
    const by = `wecom:${event.userId}`;
    if (group.state === 'resolved') return alertCardResultText('resolved', event.userId, now, words);
    if (action === 'ack') {
      if (group.acknowledgedAt !== null) {
        return alertCardResultText('ack', (group.acknowledgedBy ?? event.userId).replace(/^wecom:/, ''), group.acknowledgedAt, words);
      }
      await this.service.acknowledgeById(group.id, by);
      return alertCardResultText('ack', event.userId, now, words);
    }
    await this.service.silence({ id: group.codeId }, { matchers: silenceMatchers(group, await this.store.alertsOf(group.id)), durationSeconds: ALERT_CARD_SILENCE_MS / 1000, comment: '企业微信卡片：静默 1 小时', createdBy: by });
    return alertCardResultText('silence_1h', event.userId, now, words);
  }

  /** One delivery-log row per card action: who did what, and whether the card update went through. */
  private async log(group: GroupRow, target: AlertTarget, action: AlertCardAction, userId: string, text: string, error: unknown): Promise<void> {
    const now = this.clock.now();
    await this.store.addDelivery({
      id: randomUUID(),
      codeId: group.codeId,
      receiver: target.label,
      channel: target.channelType,
      recipients: target.recipients,
      groupIds: [group.id],
      title: text,
      reason: `${action === 'ack' ? 'acknowledged' : 'silenced 1 h'} by ${userId} (card button)`,
      notification: JSON.stringify({ target: target.key, notification: { content: text, format: 'text' } }),
      alerts: 0,
      coalesced: 0,
      status: error === undefined ? 'sent' : 'failed',
      parts: error === undefined ? 1 : 0,
      upstreamCode: error === undefined ? '0' : isNotifyError(error) ? String(error.code) : 'INTERNAL',
      retries: 0,
      error: error === undefined ? null : isNotifyError(error) ? error.message : 'internal error',
      messageIds: [],
      resendOf: null,
      createdAt: now,
      updatedAt: now,
    });
  }
}

/** The group's own labels (or, grouped by nothing, its alert names). */
function silenceMatchers(group: GroupRow, alerts: ReadonlyArray<{ name: string }>): Matcher[] {
  const labels = Object.entries(group.groupLabels);
  if (labels.length) return labels.map(([name, value]) => ({ name, op: '=', value }));
  const names = [...new Set(alerts.map((a) => a.name).filter(Boolean))];
  return [{ name: 'alertname', op: '=~', value: names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|') || '.+' }];
}
