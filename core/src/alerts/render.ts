import { markdownToText } from '../engine/render';
import type { Notification } from '../model/notification';
import { alertOptionsError } from './errors';
import { ALERT_WORDS } from './format';
import type { AlertGroup } from './group';
import { alertGroupView, type AlertGroupView, type AlertItemView, type AlertViewOptions } from './view';

/** How a message looks; each channel kind has a default (see `defaultAlertStyle`). */
export type AlertMessageStyle = 'markdown' | 'text' | 'textcard';
export const ALERT_MESSAGE_STYLES: readonly AlertMessageStyle[] = ['markdown', 'text', 'textcard'];

/** Who to @ for a severity (`*` = any firing group): robot userids and mobile numbers. */
export type AlertMentions = Record<string, { users?: string[]; mobiles?: string[] }>;

export interface AlertRenderOptions extends AlertViewOptions {
  /** Channel type the message goes to: `wecom-bot`, `wecom-app`, `wxpusher`, `gewechat`, `wecom-hook`, `gateway`. */
  channel: string;
  style?: AlertMessageStyle;
  /** Robots only, firing groups only. Text messages use mentioned_list / mentioned_mobile_list; markdown gets `<@userid>`. */
  mentions?: AlertMentions;
}

/**
 * Default per channel: robot markdown (severity colours), WeCom app text card (markdown when no
 * link: the app's markdownFallback then serves WeChat readers), WxPusher markdown, plain text
 * for personal WeChat and JuHe conversations.
 */
export function defaultAlertStyle(channel: string): AlertMessageStyle {
  switch (channel) {
    case 'wecom-bot':
    case 'wxpusher':
    case 'gateway':
      return 'markdown';
    case 'wecom-app':
      return 'textcard';
    default:
      return 'text';
  }
}

/** WeCom markdown colour classes: warning = orange-red, comment = grey, info = green. */
const COLOURS: Record<AlertGroupView['level'], string> = { critical: 'warning', warning: 'warning', info: 'comment', resolved: 'info' };
const ICONS: Record<AlertGroupView['level'], string> = { critical: '🔴', warning: '🟠', info: '🔵', resolved: '✅' };

function alertLines(view: AlertGroupView, a: AlertItemView, i: number, colours: boolean): string[] {
  const w = ALERT_WORDS[view.language];
  const icon = a.status === 'resolved' ? ICONS.resolved : ICONS[a.level];
  const name = a.summary || a.name;
  const tag = a.severity && a.status === 'firing' ? ` [${a.severity}]` : '';
  const lines = [`${i + 1}. ${icon} **${name}**${tag}`];
  if (a.summary && a.name && a.name !== view.title) lines[0] += ` (${a.name})`;
  if (a.labelsText) lines.push(colours ? `<font color="comment">${a.labelsText}</font>` : a.labelsText);
  if (a.description) lines.push(a.description.length > 300 ? `${a.description.slice(0, 299)}…` : a.description);
  lines.push(a.status === 'resolved' ? `${w.startsAt} ${a.startsAt} · ${w.endsAt} ${a.endsAt} · ${w.duration} ${a.duration}` : `${w.startsAt}${w.separator}${a.startsAt}`);
  if (a.links.length) lines.push(a.links.map((l) => `[${l.label}](${l.url})`).join(' · '));
  return lines;
}

/** Markdown of a group; `colours` adds WeCom `<font color>` tags (robots and WeCom apps render them). */
export function alertMarkdown(view: AlertGroupView, colours = true): string {
  const icon = ICONS[view.level];
  const heading = colours ? `<font color="${COLOURS[view.level]}">**${view.heading}**</font>` : `**${icon} ${view.heading}**`;
  const out = [heading, `> ${view.countsText}`];
  const w = ALERT_WORDS[view.language];
  if (view.groupLabelsText) out.push(`> ${w.group}${w.separator}${view.groupLabelsText}`);
  view.alerts.forEach((a, i) => out.push('', ...alertLines(view, a, i, colours)));
  if (view.moreText) out.push('', view.moreText);
  if (view.truncatedText) out.push(view.truncatedText);
  return out.join('\n');
}

/** Plain text of a group (personal WeChat, JuHe, robot text): the markdown read aloud, with icons. */
export function alertText(view: AlertGroupView): string {
  return markdownToText(alertMarkdown(view, false));
}

function mentionsFor(view: AlertGroupView, mentions: AlertMentions | undefined): { users: string[]; mobiles: string[] } {
  const users = new Set<string>();
  const mobiles = new Set<string>();
  if (mentions && view.status === 'firing') {
    for (const key of ['*', view.severity]) {
      const m = key ? mentions[key] : undefined;
      m?.users?.forEach((u) => users.add(u));
      m?.mobiles?.forEach((p) => mobiles.add(p));
    }
  }
  return { users: [...users], mobiles: [...mobiles] };
}

/** The view rendered as the channel's default message; `style` overrides the default. */
export function renderAlertView(view: AlertGroupView, options: Pick<AlertRenderOptions, 'channel' | 'style' | 'mentions'>): Notification<unknown, Record<string, unknown>> {
  const style = options.style ?? defaultAlertStyle(options.channel);
  if (!ALERT_MESSAGE_STYLES.includes(style)) throw alertOptionsError(`style must be one of ${ALERT_MESSAGE_STYLES.join(', ')}`);
  const robot = options.channel === 'wecom-bot';
  const { users, mobiles } = robot ? mentionsFor(view, options.mentions) : { users: [], mobiles: [] };
  const url = view.url ? { url: view.url } : {};
  // WxPusher lists messages by their summary; elsewhere a summary would replace a card's description.
  const summary = options.channel === 'wxpusher' ? { summary: view.heading } : {};
  if (style === 'textcard' && options.channel === 'wecom-app' && view.url) {
    const plain = alertText(view).split('\n').slice(1).join('\n').trim();
    return { type: 'textcard', title: view.heading, content: plain, format: 'text', url: view.url, options: { btntxt: view.language === 'zh' ? '详情' : 'More' } };
  }
  if (style === 'text' || (style === 'textcard' && options.channel !== 'wecom-app')) {
    const options_: Record<string, unknown> = {};
    if (users.length) options_.mentionedList = users;
    if (mobiles.length) options_.mentionedMobileList = mobiles;
    return { content: alertText(view), format: 'text', ...summary, ...(Object.keys(options_).length ? { options: options_ } : {}) };
  }
  const colours = options.channel === 'wecom-bot' || options.channel === 'wecom-app';
  let content = alertMarkdown(view, colours);
  if (users.length) content += `\n${users.map((u) => `<@${u}>`).join(' ')}`;
  return { content, format: 'markdown', ...summary, ...url };
}

/**
 * One message for one alert group, in the channel's default template. The `url` (first link)
 * is set for cards; markdown and text carry their links inline.
 */
export function renderAlertGroup(group: AlertGroup, options: AlertRenderOptions): Notification<unknown, Record<string, unknown>> {
  return renderAlertView(alertGroupView(group, options), options);
}
