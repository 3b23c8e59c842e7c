import { isValidTimeZone, isZeroTime, toInstant, zonedParts } from './time-zone';

/** What a helper gets besides the value: the render's time zone. */
export interface HelperScope {
  timeZone: string;
}

/** A pipe helper of a placeholder, `{{ path | name:arg }}`, bound to its argument at compile time. */
export type BoundHelper = (value: unknown, scope: HelperScope) => unknown;

type HelperFactory = (arg: string | undefined) => BoundHelper;

/** `date` / `time` / `datetime`, optionally with a zone: `{{ alert.startsAt | datetime:UTC }}`. */
function dateHelper(pick: (parts: { date: string; time: string }) => string): HelperFactory {
  return (zone) => {
    if (zone !== undefined && !isValidTimeZone(zone)) throw new Error(`unknown time zone "${zone}"`);
    return (value, scope) => {
      if (isZeroTime(value)) return '';
      const instant = toInstant(value);
      // Not a time: shown as it came, so nothing is hidden.
      if (!instant) return value;
      return pick(zonedParts(instant, zone ?? scope.timeZone));
    };
  };
}

const HELPERS: Record<string, HelperFactory> = {
  date: dateHelper((p) => p.date),
  time: dateHelper((p) => p.time),
  datetime: dateHelper((p) => `${p.date} ${p.time}`),
  /** `{{ body.username | default:未知用户 }}`: the argument when the value is missing or empty. */
  default: (fallback) => (value) => (value === undefined || value === null || value === '' ? (fallback ?? '') : value),
};

export const HELPER_NAMES = Object.keys(HELPERS);

/** Binds `name:arg`; throws with the reason when the helper or its argument is not known. */
export function bindHelper(name: string, arg: string | undefined): BoundHelper {
  const factory = Object.prototype.hasOwnProperty.call(HELPERS, name) ? HELPERS[name] : undefined;
  if (!factory) throw new Error(`unknown helper "${name}" (helpers: ${HELPER_NAMES.join(', ')})`);
  return factory(arg);
}
