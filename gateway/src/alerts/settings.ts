import { compileAlertTemplate, DEFAULT_GROUP_BY, type AlertTemplate, validateGroupBy, validateLanguage, validateTimeZone, validationError, ALERT_MESSAGE_STYLES, type AlertLanguage, type AlertMentions, type AlertMessageStyle } from '@wxnotify/core';

/** How one Code groups, repeats and renders its alerts (Alertmanager's defaults, except groupWait 10 s). */
export interface AlertSettings {
  groupBy: string[];
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  /** One message when a group's alerts resolve (default on). */
  sendResolved: boolean;
  /** WeCom app Codes: recall the firing message when the group resolves (within 24 h). */
  recallFiring: boolean;
  language: AlertLanguage;
  timeZone: string;
  style?: AlertMessageStyle;
  /** Robots: who to @ per severity (`*` = any). */
  mentions?: AlertMentions;
  /** Alerts listed per group in one message (default 10). */
  maxAlerts: number;
  /** Custom template (core template engine, root `alert`); digests keep the default layout. */
  template?: AlertTemplate;
}

export const DEFAULT_ALERT_SETTINGS: Readonly<AlertSettings> = Object.freeze({
  groupBy: [...DEFAULT_GROUP_BY],
  groupWaitMs: 10_000,
  groupIntervalMs: 5 * 60_000,
  repeatIntervalMs: 4 * 3600_000,
  sendResolved: true,
  recallFiring: false,
  language: 'zh' as AlertLanguage,
  timeZone: 'Asia/Shanghai',
  maxAlerts: 10,
});

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 };

function bad(field: string, message: string): never {
  throw validationError('gateway', 'INVALID_FIELD', `alerts.${field} ${message}`);
}

/** `30s`, `5m`, `4h`, `1h30m`, or milliseconds as a number. */
export function parseDuration(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (typeof value === 'string') {
    const parts = [...value.trim().matchAll(/(\d+)(ms|s|m|h|d)/g)];
    if (parts.length && parts.map((p) => p[0]).join('') === value.trim()) return parts.reduce((sum, p) => sum + Number(p[1]) * UNITS[p[2]!]!, 0);
  }
  return bad(field, 'must be a duration such as 10s, 5m or 4h');
}

function bool(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') bad(field, 'must be true or false');
  return value as boolean;
}

function mentionsOf(value: unknown): AlertMentions {
  if (!value || typeof value !== 'object' || Array.isArray(value)) bad('mentions', 'must be an object: {"critical": {"users": ["zhangsan"], "mobiles": ["138…"]}}');
  const out: AlertMentions = {};
  for (const [severity, m] of Object.entries(value as Record<string, unknown>)) {
    const entry = (m ?? {}) as Record<string, unknown>;
    const list = (key: string): string[] | undefined => {
      const v = entry[key];
      if (v === undefined) return undefined;
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x.length > 64)) bad(`mentions.${severity}.${key}`, 'must be a list of strings');
      return v as string[];
    };
    const users = list('users');
    const mobiles = list('mobiles');
    out[severity.toLowerCase()] = { ...(users ? { users } : {}), ...(mobiles ? { mobiles } : {}) };
  }
  return out;
}

/** Validates a partial settings object (from the admin API or a route) over `base`; names the bad field. */
export function parseAlertSettings(raw: unknown, base: AlertSettings = DEFAULT_ALERT_SETTINGS): AlertSettings {
  if (raw === undefined || raw === null) return { ...base };
  if (typeof raw !== 'object' || Array.isArray(raw)) bad('', 'must be an object');
  const r = raw as Record<string, unknown>;
  const out: AlertSettings = { ...base };
  const known = new Set(['groupBy', 'groupWait', 'groupInterval', 'repeatInterval', 'sendResolved', 'recallFiring', 'language', 'timeZone', 'style', 'mentions', 'maxAlerts', 'template']);
  const unknown = Object.keys(r).find((k) => !known.has(k));
  if (unknown) bad(unknown, `is not a setting (known: ${[...known].join(', ')})`);
  if (r.groupBy !== undefined) out.groupBy = wrap('groupBy', () => validateGroupBy(r.groupBy));
  if (r.groupWait !== undefined) out.groupWaitMs = parseDuration(r.groupWait, 'groupWait');
  if (r.groupInterval !== undefined) out.groupIntervalMs = Math.max(1000, parseDuration(r.groupInterval, 'groupInterval'));
  if (r.repeatInterval !== undefined) out.repeatIntervalMs = parseDuration(r.repeatInterval, 'repeatInterval');
  if (r.sendResolved !== undefined) out.sendResolved = bool(r.sendResolved, 'sendResolved');
  if (r.recallFiring !== undefined) out.recallFiring = bool(r.recallFiring, 'recallFiring');
  if (r.language !== undefined) out.language = wrap('language', () => validateLanguage(r.language));
  if (r.timeZone !== undefined) out.timeZone = wrap('timeZone', () => validateTimeZone(r.timeZone));
  if (r.style !== undefined) {
    if (!ALERT_MESSAGE_STYLES.includes(r.style as AlertMessageStyle)) bad('style', `must be one of ${ALERT_MESSAGE_STYLES.join(', ')}`);
    out.style = r.style as AlertMessageStyle;
  }
  if (r.mentions !== undefined) out.mentions = mentionsOf(r.mentions);
  if (r.maxAlerts !== undefined) {
    if (!Number.isInteger(r.maxAlerts) || (r.maxAlerts as number) < 1 || (r.maxAlerts as number) > 100) bad('maxAlerts', 'must be an integer from 1 to 100');
    out.maxAlerts = r.maxAlerts as number;
  }
  if (r.template !== undefined) {
    if (r.template === null) delete out.template;
    else {
      const t = r.template as AlertTemplate;
      wrap('template', () => compileAlertTemplate(t, out.timeZone));
      out.template = { ...(t.title ? { title: t.title } : {}), content: t.content, ...(t.format ? { format: t.format } : {}) };
    }
  }
  // Alertmanager rounds repeat_interval up to a multiple of group_interval; we only keep it from being shorter.
  if (out.repeatIntervalMs < out.groupIntervalMs) out.repeatIntervalMs = out.groupIntervalMs;
  return out;
}

function wrap<T>(field: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    return bad(field, `is invalid: ${(error as Error & { upstreamMessage?: string }).upstreamMessage ?? (error as Error).message}`);
  }
}

/** Settings as the API shows them (durations in seconds). */
export function describeAlertSettings(s: AlertSettings): Record<string, unknown> {
  return {
    groupBy: s.groupBy,
    groupWait: `${s.groupWaitMs / 1000}s`,
    groupInterval: `${s.groupIntervalMs / 1000}s`,
    repeatInterval: `${s.repeatIntervalMs / 1000}s`,
    sendResolved: s.sendResolved,
    recallFiring: s.recallFiring,
    language: s.language,
    timeZone: s.timeZone,
    ...(s.style ? { style: s.style } : {}),
    ...(s.mentions ? { mentions: s.mentions } : {}),
    maxAlerts: s.maxAlerts,
    ...(s.template ? { template: s.template } : {}),
  };
}
