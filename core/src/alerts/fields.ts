import { AlertPayloadError } from './errors';

/** Readers for untrusted JSON: each throws an AlertPayloadError naming the JSON path. */

const MAX_TEXT = 64 * 1024;
/** Go's zero time: Alertmanager and Grafana send it as `endsAt` of a firing alert. */
const GO_ZERO_TIME = /^0001-01-01T00:00:00(\.0+)?Z$/;

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function objectAt(value: unknown, path: string): Json {
  if (!isObject(value)) throw new AlertPayloadError(path, 'must be a JSON object');
  return value;
}

export function optionalString(obj: Json, key: string, path: string): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new AlertPayloadError(`${path}${key}`, 'must be a string');
  if (value.length > MAX_TEXT) throw new AlertPayloadError(`${path}${key}`, `is longer than ${MAX_TEXT} characters`);
  return value;
}

export function requiredString(obj: Json, key: string, path: string): string {
  const value = optionalString(obj, key, path);
  if (value === undefined || value.trim() === '') throw new AlertPayloadError(`${path}${key}`, 'is required');
  return value;
}

/** A label or annotation set: string values; numbers and booleans are accepted and written as text. */
export function stringMap(obj: Json, key: string, path: string): Record<string, string> {
  const value = obj[key];
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new AlertPayloadError(`${path}${key}`, 'must be an object of strings');
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    if (typeof v === 'string') out[name] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[name] = String(v);
    else if (v !== null && v !== undefined) throw new AlertPayloadError(`${path}${key}.${name}`, 'must be a string');
  }
  return out;
}

export function statusAt(obj: Json, key: string, path: string, fallback?: 'firing' | 'resolved'): 'firing' | 'resolved' {
  const value = obj[key];
  if ((value === undefined || value === null) && fallback) return fallback;
  if (value !== 'firing' && value !== 'resolved') throw new AlertPayloadError(`${path}${key}`, 'must be "firing" or "resolved"');
  return value;
}

/** An RFC 3339 time as ISO-8601 (nanoseconds are cut to milliseconds); undefined for absent or Go's zero time. */
export function timeAt(obj: Json, key: string, path: string): string | undefined {
  const value = optionalString(obj, key, path);
  if (value === undefined || value === '' || GO_ZERO_TIME.test(value)) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new AlertPayloadError(`${path}${key}`, 'must be an RFC 3339 time such as 2026-08-01T10:00:00Z');
  return new Date(ms).toISOString();
}

export function optionalUrl(obj: Json, key: string, path: string): string | undefined {
  const value = optionalString(obj, key, path)?.trim();
  if (!value) return undefined;
  if (!/^https?:\/\/\S+$/i.test(value)) throw new AlertPayloadError(`${path}${key}`, 'must be an http(s) URL');
  return value;
}

export function arrayAt(obj: Json, key: string, path: string, max: number): unknown[] {
  const value = obj[key];
  if (!Array.isArray(value)) throw new AlertPayloadError(`${path}${key}`, 'must be an array');
  if (value.length > max) throw new AlertPayloadError(`${path}${key}`, `has more than ${max} entries`, 'Send the alerts in several requests.');
  return value;
}

/** A link from a sender we do not control: kept when it is http(s), ignored otherwise (never a reason to reject). */
export function lenientUrl(obj: Json, key: string, path: string): string | undefined {
  const value = optionalString(obj, key, path)?.trim();
  return value && /^https?:\/\/\S+$/i.test(value) ? value : undefined;
}
