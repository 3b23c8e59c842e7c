import { ALERT_WORDS, formatAlertTime, formatDuration, validateLanguage, validateTimeZone, type AlertLanguage } from './format';
import { groupStatus, highestSeverity, severityLevel, type AlertGroup } from './group';
import type { Alert, AlertLinks, AlertStatus } from './model';

export interface AlertViewOptions {
  /** `zh` (default) or `en`. */
  language?: AlertLanguage;
  /** IANA zone for the times shown (default Asia/Shanghai). */
  timeZone?: string;
  /** Alerts listed in one message (default 10); the rest are counted in `more`. */
  maxAlerts?: number;
  /** Alerts the sender cut off (Alertmanager `truncatedAlerts`), shown as a note. */
  truncatedAlerts?: number;
}

export interface AlertLinkView {
  kind: keyof AlertLinks;
  label: string;
  url: string;
}

export interface AlertItemView {
  status: AlertStatus;
  statusText: string;
  severity: string;
  level: 'critical' | 'warning' | 'info';
  name: string;
  summary: string;
  description: string;
  /** The alert's own labels (not the group's, not alertname/severity) as `k=v k=v`. */
  labelsText: string;
  startsAt: string;
  endsAt: string;
  /** Resolved: how long it fired (`25分钟`); firing: `''`. */
  duration: string;
  links: AlertLinkView[];
  fingerprint: string;
}

/** The data every default template reads; custom templates get the same object. */
export interface AlertGroupView {
  language: AlertLanguage;
  timeZone: string;
  status: AlertStatus;
  statusText: string;
  severity: string;
  level: 'critical' | 'warning' | 'info' | 'resolved';
  title: string;
  /** `【告警 · critical】DiskFull` */
  heading: string;
  groupKey: string;
  groupLabelsText: string;
  counts: { total: number; firing: number; resolved: number };
  /** `共 2 条：告警中 1，已恢复 1` */
  countsText: string;
  alerts: AlertItemView[];
  more: number;
  moreText: string;
  truncatedText: string;
  /** The first link of the first alert that has one (cards open it). */
  url?: string;
}

const LINK_ORDER: ReadonlyArray<keyof AlertLinks> = ['url', 'generatorURL', 'dashboardURL', 'panelURL', 'silenceURL', 'imageURL'];
const HIDDEN_LABELS = new Set(['alertname', 'severity']);
const MAX_LABELS_SHOWN = 6;

function labelsText(labels: Record<string, string>, skip: Record<string, string>): string {
  return Object.entries(labels)
    .filter(([name]) => !HIDDEN_LABELS.has(name) && !(name in skip) && !name.startsWith('__'))
    .slice(0, MAX_LABELS_SHOWN)
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
}

function itemView(alert: Alert, group: AlertGroup, language: AlertLanguage, timeZone: string): AlertItemView {
  const w = ALERT_WORDS[language];
  const ended = alert.status === 'resolved' && alert.endsAt ? alert.endsAt : undefined;
  return {
    status: alert.status,
    statusText: alert.status === 'firing' ? w.firing : w.resolved,
    severity: alert.severity,
    level: severityLevel(alert.severity),
    name: alert.name,
    summary: alert.summary,
    description: alert.description && alert.description !== alert.summary ? alert.description : '',
    labelsText: labelsText(alert.labels, group.labels),
    startsAt: formatAlertTime(alert.startsAt, timeZone),
    endsAt: ended ? formatAlertTime(ended, timeZone) : '',
    duration: ended ? formatDuration(Date.parse(ended) - Date.parse(alert.startsAt), language) : '',
    links: LINK_ORDER.filter((k) => alert.links[k]).map((kind) => ({ kind, label: w.links[kind], url: alert.links[kind]! })),
    fingerprint: alert.fingerprint,
  };
}

/** Builds the view of one group: firing alerts first, then resolved, each in arrival order. */
export function alertGroupView(group: AlertGroup, options: AlertViewOptions = {}): AlertGroupView {
  const language = validateLanguage(options.language);
  const timeZone = validateTimeZone(options.timeZone);
  const w = ALERT_WORDS[language];
  const firing = group.alerts.filter((a) => a.status === 'firing');
  const resolved = group.alerts.filter((a) => a.status === 'resolved');
  const status = groupStatus(group.alerts);
  const severity = highestSeverity(status === 'firing' ? firing : resolved);
  const names = [...new Set(group.alerts.map((a) => a.name).filter(Boolean))];
  const title = group.labels.alertname ?? (names.length === 1 ? names[0] : w.alerts(group.alerts.length));
  const statusText = status === 'firing' ? w.firing : w.resolved;
  const max = Math.max(1, options.maxAlerts ?? 10);
  const ordered = [...firing, ...resolved];
  const counts = { total: group.alerts.length, firing: firing.length, resolved: resolved.length };
  const countParts = [counts.firing ? w.firingCount(counts.firing) : '', counts.resolved ? w.resolvedCount(counts.resolved) : ''].filter(Boolean);
  const alerts = ordered.slice(0, max).map((a) => itemView(a, group, language, timeZone));
  const more = ordered.length - alerts.length;
  const url = alerts.find((a) => a.links.length)?.links[0]?.url;
  return {
    language,
    timeZone,
    status,
    statusText,
    severity,
    level: status === 'resolved' ? 'resolved' : severityLevel(severity),
    title,
    heading: `【${statusText}${severity && status === 'firing' ? ` · ${severity}` : ''}】${title}`,
    groupKey: group.key,
    groupLabelsText: Object.entries(group.labels).map(([k, v]) => `${k}=${v}`).join(' '),
    counts,
    countsText: `${w.total(counts.total)}${w.separator}${countParts.join(w.listSeparator)}`,
    alerts,
    more,
    moreText: more > 0 ? w.more(more) : '',
    truncatedText: options.truncatedAlerts ? w.truncated(options.truncatedAlerts) : '',
    ...(url ? { url } : {}),
  };
}
