import {
  ALERT_CARD_SILENCE_MS,
  alertCardResultText,
  alertGroupIdOfTask,
  isAlertCardAction,
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
import type { AlertCardUpdates } from './card-updates.js';
import { DEFAULT_ALERT_SETTINGS, type AlertSettings } from './settings.js';
import type { AlertTargets } from './targets.js';

/**
 * Clicks on alert cards, from the verified WeCom callback route: 确认 acknowledges the group (no
 * more repeats), 静默 1 小时 silences its labels for an hour; then the card is updated for every
 * recipient with who acted (one update with the click's response code; AlertCardUpdates
 * schedules a later try in the store when WeCom answers a retryable error), and the action is written to the alert
 * history (acknowledgedBy, the silence's createdBy) and the delivery log, with the update's
 * outcome. A click must come from the Code's own app (CorpID and AgentID); redeliveries and double
 * taps act once. A second member's click on an already acknowledged group shows the first
 * acknowledgement again; a click on a resolved group's card shows "已恢复 HH:MM".
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
    private readonly updates: AlertCardUpdates,
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
    // The action is stored before the card is touched: a failed update loses nothing.
    const { text, acted } = await this.act(action, group, event, settings);
    this.metrics.inc('wxnotify_alert_card_actions_total', { action, result: acted ? 'done' : 'resolved' });
    const reason = acted ? `${action === 'ack' ? 'acknowledged' : 'silenced 1 h'} by ${event.userId} (card button)` : `clicked by ${event.userId} after the group resolved (card button)`;
    await this.updates.apply({ group, target, taskId: event.taskId, update: { responseCode: event.responseCode, issuedAt: event.createTime * 1000, replaceButton: text }, reason, kind: 'click' });
  }

  /** Acknowledges or silences; returns the line the card shows (and false when the group had resolved: nothing to act on). */
  private async act(action: AlertCardAction, group: GroupRow, event: TemplateCardEvent, settings: AlertSettings): Promise<{ text: string; acted: boolean }> {
    const now = this.clock.now();
    const words = { language: settings.language, timeZone: settings.timeZone };
    const by = `wecom:${event.userId}`;
    if (group.state === 'resolved') return { text: alertCardResultText('resolved', event.userId, group.resolvedAt ?? now, words), acted: false };
    if (action === 'ack') {
      if (group.acknowledgedAt !== null) {
        return { text: alertCardResultText('ack', (group.acknowledgedBy ?? event.userId).replace(/^wecom:/, ''), group.acknowledgedAt, words), acted: true };
      }
      await this.service.acknowledgeById(group.id, by);
      return { text: alertCardResultText('ack', event.userId, now, words), acted: true };
    }
    await this.service.silence({ id: group.codeId }, { matchers: silenceMatchers(group, await this.store.alertsOf(group.id)), durationSeconds: ALERT_CARD_SILENCE_MS / 1000, comment: '企业微信卡片：静默 1 小时', createdBy: by });
    return { text: alertCardResultText('silence_1h', event.userId, now, words), acted: true };
  }
}

/** The group's own labels (or, grouped by nothing, its alert names). */
function silenceMatchers(group: GroupRow, alerts: ReadonlyArray<{ name: string }>): Matcher[] {
  const labels = Object.entries(group.groupLabels);
  if (labels.length) return labels.map(([name, value]) => ({ name, op: '=', value }));
  const names = [...new Set(alerts.map((a) => a.name).filter(Boolean))];
  return [{ name: 'alertname', op: '=~', value: names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|') || '.+' }];
}
