import { alertOptionsError } from './errors';
import type { Alert, AlertStatus } from './model';

/** `['...']` groups by every label, as in Alertmanager; `[]` puts every alert in one group. */
export const DEFAULT_GROUP_BY: readonly string[] = ['alertname'];
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The alerts that share one group key at one moment (what a message is rendered from). */
export interface AlertGroup {
  key: string;
  labels: Record<string, string>;
  alerts: Alert[];
}

export function validateGroupBy(groupBy: unknown): string[] {
  if (groupBy === undefined) return [...DEFAULT_GROUP_BY];
  if (!Array.isArray(groupBy) || groupBy.some((l) => typeof l !== 'string')) throw alertOptionsError('groupBy must be a list of label names');
  if (groupBy.includes('...')) {
    if (groupBy.length > 1) throw alertOptionsError('groupBy: "..." (every label) cannot be combined with other labels');
    return ['...'];
  }
  const bad = groupBy.find((l) => !LABEL_NAME.test(l));
  if (bad !== undefined) throw alertOptionsError(`groupBy: "${bad}" is not a label name`);
  return [...new Set(groupBy as string[])];
}

/** The group's labels: the `groupBy` labels the alert has (every label for `...`). */
export function groupLabelsOf(alert: Pick<Alert, 'labels'>, groupBy: readonly string[]): Record<string, string> {
  if (groupBy.length === 1 && groupBy[0] === '...') return { ...alert.labels };
  const out: Record<string, string> = {};
  for (const name of groupBy) if (alert.labels[name] !== undefined && alert.labels[name] !== '') out[name] = alert.labels[name];
  return out;
}

/** `{alertname="DiskFull",instance="db1"}`: label names sorted, values JSON-quoted. */
export function groupKeyOf(alert: Pick<Alert, 'labels'>, groupBy: readonly string[]): string {
  const labels = groupLabelsOf(alert, groupBy);
  return `{${Object.keys(labels).sort().map((n) => `${n}=${JSON.stringify(labels[n])}`).join(',')}}`;
}

/**
 * Splits alerts into groups (first-seen order) and de-duplicates them by fingerprint: a later
 * copy of the same alert replaces the earlier one.
 */
export function groupAlerts(alerts: readonly Alert[], groupBy: readonly string[] = DEFAULT_GROUP_BY): AlertGroup[] {
  const groups = new Map<string, { labels: Record<string, string>; byFingerprint: Map<string, Alert> }>();
  for (const alert of alerts) {
    const key = groupKeyOf(alert, groupBy);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { labels: groupLabelsOf(alert, groupBy), byFingerprint: new Map() }));
    group.byFingerprint.set(alert.fingerprint, alert);
  }
  return [...groups].map(([key, g]) => ({ key, labels: g.labels, alerts: [...g.byFingerprint.values()] }));
}

/** `firing` while any alert of the group fires. */
export function groupStatus(alerts: readonly Pick<Alert, 'status'>[]): AlertStatus {
  return alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved';
}

const SEVERITY_RANK: Record<string, number> = { critical: 5, fatal: 5, page: 5, p1: 5, error: 4, high: 4, p2: 4, warning: 3, warn: 3, medium: 3, p3: 3, info: 2, low: 2, none: 1 };

/** A severity's colour class: critical, warning or info (unknown severities count as warning). */
export function severityLevel(severity: string): 'critical' | 'warning' | 'info' {
  const rank = SEVERITY_RANK[severity.toLowerCase()] ?? 3;
  return rank >= 4 ? 'critical' : rank === 3 ? 'warning' : 'info';
}

/** The most severe severity among the alerts ('' when none has one). */
export function highestSeverity(alerts: readonly Pick<Alert, 'severity'>[]): string {
  let best = '';
  for (const { severity } of alerts) if (severity && (best === '' || (SEVERITY_RANK[severity] ?? 3) > (SEVERITY_RANK[best] ?? 3))) best = severity;
  return best;
}
