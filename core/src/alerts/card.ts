import { randomBytes } from 'node:crypto';
import { buttonCard, type WeComTemplateCard } from '../channels/wecom-app/cards';
import { WECOM_APP_LIMITS as L } from '../channels/wecom-app/config';
import { truncateChars } from '../channels/wecom-app/render';
import { validateLanguage, validateTimeZone, type AlertLanguage } from './format';
import type { AlertGroup } from './group';
import { alertGroupView, type AlertViewOptions } from './view';

/**
 * Alert groups as interactive WeCom app cards: 确认 (acknowledge) and 静默 1 小时 (silence 1 h)
 * buttons, a task id that names the group, and the line that replaces the buttons once someone
 * acted. Hosts send the card, parse the click (TemplateCardInbox), act on the group, and call
 * `updateTemplateCard({ responseCode, replaceButton: alertCardResultText(...) })`.
 */
export type AlertCardAction = 'ack' | 'silence_1h';
export const ALERT_CARD_ACTIONS: readonly AlertCardAction[] = ['ack', 'silence_1h'];
export const ALERT_CARD_SILENCE_MS = 3600_000;

const TASK_PREFIX = 'wxa';
const GROUP_ID = /^[0-9A-Za-z_-]{1,64}$/;

const CARD_WORDS = {
  zh: {
    ack: '确认',
    silence: '静默 1 小时',
    level: '级别',
    start: '开始',
    group: '分组',
    acked: (user: string, at: string) => `已由 ${user} 确认 ${at}`,
    silenced: (user: string, until: string) => `已由 ${user} 静默 1 小时（至 ${until}）`,
    resolved: (at: string) => `已恢复 ${at}`,
  },
  en: {
    ack: 'Ack',
    silence: 'Mute 1 h',
    level: 'Level',
    start: 'Start',
    group: 'Group',
    acked: (user: string, at: string) => `Acknowledged by ${user} at ${at}`,
    silenced: (user: string, until: string) => `Muted by ${user} until ${until}`,
    resolved: (at: string) => `Resolved at ${at}`,
  },
} as const;

/** `wxa@<groupId>@<time><random>`: unique per send, and the click says which group it is about. */
export function alertCardTaskId(groupId: string): string {
  if (!GROUP_ID.test(groupId)) throw new RangeError('alert group id must be 1-64 characters of [0-9A-Za-z_-]');
  return `${TASK_PREFIX}@${groupId}@${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
}

/** The group id of an alert card's task id, or undefined for any other card. */
export function alertGroupIdOfTask(taskId: string): string | undefined {
  const parts = taskId.split('@');
  return parts.length === 3 && parts[0] === TASK_PREFIX && GROUP_ID.test(parts[1]) ? parts[1] : undefined;
}

export function isAlertCardAction(key: string): key is AlertCardAction {
  return (ALERT_CARD_ACTIONS as readonly string[]).includes(key);
}

/** A firing group as a button_interaction card (every text cut to WeCom's sizes, visibly). */
export function renderAlertCard(group: AlertGroup, options: AlertViewOptions & { groupId: string }): WeComTemplateCard {
  const view = alertGroupView(group, { ...options, maxAlerts: 3 });
  const w = CARD_WORDS[view.language];
  const lines = view.alerts.map((a, i) => `${i + 1}. ${a.summary || a.name}${a.labelsText ? ` ${a.labelsText}` : ''}`);
  if (view.moreText) lines.push(view.moreText);
  const first = view.alerts[0];
  const fields = [
    ...(view.severity ? [{ key: w.level, value: truncateChars(view.severity, L.cardFieldValueChars) }] : []),
    ...(first ? [{ key: w.start, value: truncateChars(first.startsAt, L.cardFieldValueChars) }] : []),
    ...(view.groupLabelsText ? [{ key: w.group, value: truncateChars(view.groupLabelsText, L.cardFieldValueChars) }] : []),
  ];
  return buttonCard({
    taskId: alertCardTaskId(options.groupId),
    title: truncateChars(view.heading, L.cardTitleChars),
    description: truncateChars(view.countsText, L.cardDescriptionChars),
    ...(lines.length ? { subTitle: truncateChars(lines.join('\n'), L.cardSubTitleChars) } : {}),
    fields,
    ...(view.url ? { url: view.url } : {}),
    buttons: [
      { text: w.ack, key: 'ack', style: 1 },
      { text: w.silence, key: 'silence_1h', style: 2 },
    ],
  });
}

/**
 * The grey line that replaces the buttons: who acted, and when (HH:mm in the group's time zone);
 * `resolved`: the group closed (at `atMs`; `user` is not shown), e.g. "已恢复 10:05".
 */
export function alertCardResultText(action: AlertCardAction | 'resolved', user: string, atMs: number, options: { language?: AlertLanguage; timeZone?: string } = {}): string {
  const w = CARD_WORDS[validateLanguage(options.language)];
  const clock = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: validateTimeZone(options.timeZone) });
  if (action === 'resolved') return w.resolved(clock.format(atMs));
  return action === 'ack' ? w.acked(user, clock.format(atMs)) : w.silenced(user, clock.format(atMs + ALERT_CARD_SILENCE_MS));
}
