/** Date and time in an IANA time zone through Intl (no dependency, no process TZ). */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The formatter for `timeZone`, created once; throws a RangeError for an unknown zone. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isValidTimeZone(timeZone: unknown): boolean {
  if (typeof timeZone !== 'string' || timeZone === '') return false;
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

export interface ZonedParts {
  date: string;
  time: string;
}

/** `{ date: 'YYYY-MM-DD', time: 'HH:mm:ss' }` of `instant` in `timeZone`. */
export function zonedParts(instant: Date, timeZone: string): ZonedParts {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) parts[part.type] = part.value;
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}:${parts.second}` };
}

/** Go's zero time, which Alertmanager sends as `endsAt` of a firing alert: "no time". */
const GO_ZERO_TIME = /^0001-01-01T00:00:00/;
/** Epoch numbers below this are seconds (Unix time), above it milliseconds. */
const SECONDS_BELOW = 1e11;

export function isZeroTime(value: unknown): boolean {
  return typeof value === 'string' && GO_ZERO_TIME.test(value.trim());
}

/**
 * Reads a template value as an instant: a Date, epoch seconds or milliseconds (number or digits),
 * or an ISO 8601 / RFC 3339 string. Anything else is `undefined`.
 */
export function toInstant(value: unknown): Date | undefined {
  let ms: number;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === 'number') ms = Math.abs(value) < SECONDS_BELOW ? value * 1000 : value;
  else if (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim())) return toInstant(Number(value));
  else if (typeof value === 'string' && value.trim() !== '' && !isZeroTime(value)) ms = Date.parse(value);
  else return undefined;
  return Number.isFinite(ms) ? new Date(ms) : undefined;
}
