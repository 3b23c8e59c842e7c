import { DEFAULT_TIME_ZONE, isValidTimeZone, zonedParts } from '../templates/time-zone';
import { alertOptionsError } from './errors';

export type AlertLanguage = 'zh' | 'en';
/** The templates' default zone: alert times and `{{ x | datetime }}` agree. */
export const DEFAULT_ALERT_TIME_ZONE = DEFAULT_TIME_ZONE;

/** The words of the default templates; Chinese first. */
export const ALERT_WORDS = {
  zh: {
    firing: '告警',
    resolved: '已恢复',
    total: (n: number) => `共 ${n} 条`,
    firingCount: (n: number) => `告警中 ${n}`,
    resolvedCount: (n: number) => `已恢复 ${n}`,
    group: '分组',
    startsAt: '开始',
    endsAt: '恢复',
    duration: '持续',
    more: (n: number) => `…另有 ${n} 条未列出`,
    alerts: (n: number) => `${n} 条告警`,
    truncated: (n: number) => `发送方截断了 ${n} 条`,
    links: { generatorURL: '来源', dashboardURL: '仪表盘', panelURL: '面板', silenceURL: '静默', imageURL: '截图', url: '详情' },
    separator: '：',
    listSeparator: '，',
  },
  en: {
    firing: 'FIRING',
    resolved: 'RESOLVED',
    total: (n: number) => `${n} alert${n === 1 ? '' : 's'}`,
    firingCount: (n: number) => `${n} firing`,
    resolvedCount: (n: number) => `${n} resolved`,
    group: 'Group',
    startsAt: 'Started',
    endsAt: 'Resolved',
    duration: 'Lasted',
    more: (n: number) => `…and ${n} more not listed`,
    alerts: (n: number) => `${n} alerts`,
    truncated: (n: number) => `${n} cut off by the sender`,
    links: { generatorURL: 'Source', dashboardURL: 'Dashboard', panelURL: 'Panel', silenceURL: 'Silence', imageURL: 'Image', url: 'Details' },
    separator: ': ',
    listSeparator: ', ',
  },
} as const;

export function validateLanguage(value: unknown): AlertLanguage {
  if (value === undefined || value === null || value === '') return 'zh';
  const v = String(value).toLowerCase();
  if (v === 'zh' || v === 'zh-cn') return 'zh';
  if (v === 'en' || v === 'en-us' || v === 'en-gb') return 'en';
  throw alertOptionsError(`language must be zh or en (got "${String(value).slice(0, 20)}")`);
}

/** Throws a validation error for an unknown time zone; returns the zone (default Asia/Shanghai). */
export function validateTimeZone(value: unknown): string {
  if (value === undefined || value === null || value === '') return DEFAULT_ALERT_TIME_ZONE;
  if (typeof value !== 'string') throw alertOptionsError('timeZone must be a string such as Asia/Shanghai');
  if (!isValidTimeZone(value)) throw alertOptionsError(`timeZone "${value.slice(0, 64)}" is not an IANA time zone`, 'Use a name such as Asia/Shanghai or UTC.');
  return value;
}

/** `2026-08-01 18:00:00` in the time zone. */
export function formatAlertTime(iso: string | number, timeZone: string = DEFAULT_ALERT_TIME_ZONE): string {
  const { date, time } = zonedParts(new Date(iso), validateTimeZone(timeZone));
  return `${date} ${time}`;
}

/** `1天2小时` / `1d 2h`: the two largest units that are not zero. */
export function formatDuration(ms: number, language: AlertLanguage = 'zh'): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const units = language === 'zh' ? (['天', '小时', '分钟', '秒'] as const) : (['d', 'h', 'm', 's'] as const);
  const values = [Math.floor(total / 86_400), Math.floor((total % 86_400) / 3600), Math.floor((total % 3600) / 60), total % 60];
  const first = values.findIndex((v) => v > 0);
  if (first === -1) return language === 'zh' ? '0秒' : '0s';
  const shown = values.map((v, i) => ({ v, i })).slice(first, first + 2).filter(({ v }) => v > 0);
  return shown.map(({ v, i }) => `${v}${units[i]}`).join(language === 'zh' ? '' : ' ');
}
