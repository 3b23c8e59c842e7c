import { markdownToText } from '../engine/render';
import type { Notification } from '../model/notification';
import { alertOptionsError } from './errors';
import { ALERT_WORDS } from './format';
import { highestSeverity, type AlertGroup } from './group';
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

/** Words of the digest heading; Chinese first. */
const DIGEST_WORDS = {
  zh: { heading: (g: number, n: number) => `【告警汇总】${g} 组 · ${n} 条`, more: (n: number) => `…另有 ${n} 条` },
  en: { heading: (g: number, n: number) => `【Alert digest】${g} groups · ${n} alerts`, more: (n: number) => `…and ${n} more` },
} as const;

/**
 * Several groups for one recipient as ONE message (a storm becomes few readable messages): a
 * heading per group, then one short line per alert (labels, summary, start or duration). Every
 * alert is listed up to `maxAlerts` per group (default 50); the rest are counted.
 */
export function renderAlertDigest(groups: readonly AlertGroup[], options: AlertRenderOptions): Notification<unknown, Record<string, unknown>> {
  const views = groups.map((g) => alertGroupView(g, { ...options, maxAlerts: options.maxAlerts ?? 50 }));
  const language = views[0]?.language ?? 'zh';
  const w = DIGEST_WORDS[language];
  const preferred = options.style ?? defaultAlertStyle(options.channel);
  // A card holds one group; a digest of a card channel is markdown (the app's fallback serves WeChat readers).
  const style = preferred === 'textcard' ? 'markdown' : preferred;
  const colours = style === 'markdown' && (options.channel === 'wecom-bot' || options.channel === 'wecom-app');
  const total = views.reduce((n, v) => n + v.counts.total, 0);
  const heading = w.heading(views.length, total);
  const lines = [style === 'markdown' ? `**${heading}**` : heading];
  for (const view of views) {
    const title = colours ? `<font color="${COLOURS[view.level]}">**${view.heading}**</font>` : style === 'markdown' ? `**${ICONS[view.level]} ${view.heading}**` : `${ICONS[view.level]} ${view.heading}`;
    lines.push('', `${title} (${view.countsText})`);
    for (const a of view.alerts) {
      const when = a.status === 'resolved' ? `${ICONS.resolved} ${a.duration}` : a.startsAt.slice(5);
      lines.push(`- ${[a.labelsText, a.summary || a.name].filter(Boolean).join(' ')} · ${when}`);
    }
    if (view.more) lines.push(w.more(view.more));
  }
  const content = lines.join('\n');
  const firing = views.some((v) => v.status === 'firing');
  const mentions = options.channel === 'wecom-bot' && firing ? mentionsFor({ ...views[0]!, status: 'firing', severity: highestOf(views) }, options.mentions) : { users: [], mobiles: [] };
  if (style === 'markdown') {
    const body = mentions.users.length ? `${content}\n${mentions.users.map((u) => `<@${u}>`).join(' ')}` : content;
    return { content: body, format: 'markdown', ...(options.channel === 'wxpusher' ? { summary: heading } : {}) };
  }
  const extra: Record<string, unknown> = {};
  if (mentions.users.length) extra.mentionedList = mentions.users;
  if (mentions.mobiles.length) extra.mentionedMobileList = mentions.mobiles;
  return { content: markdownToText(content), format: 'text', ...(options.channel === 'wxpusher' ? { summary: heading } : {}), ...(Object.keys(extra).length ? { options: extra } : {}) };
}

function highestOf(views: readonly AlertGroupView[]): string {
  return highestSeverity(views.filter((v) => v.status === 'firing').map((v) => ({ severity: v.severity })));
}
