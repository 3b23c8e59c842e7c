import { createHash, timingSafeEqual } from 'node:crypto';
import { tryParseJson } from '../../engine/json';
import { validationError } from '../../model/notify-error';

/** A user followed the app (scan, link or command); `extra` comes from a parameter QR code. */
export interface WxPusherSubscribeEvent {
  type: 'subscribe';
  action: 'app_subscribe';
  data: {
    uid: string;
    appId: number;
    appKey?: string;
    appName?: string;
    /** `scan`, `link` or `command`. */
    source?: string;
    userName?: string;
    userHeadImg?: string;
    /** Epoch ms. */
    time?: number;
    extra?: string;
  };
  raw: Record<string, unknown>;
}

/** A user sent a command (upstream message) to the app. */
export interface WxPusherCommandEvent {
  type: 'command';
  action: 'send_up_cmd';
  data: { uid: string; appId: number; appName?: string; time?: number; content: string };
  raw: Record<string, unknown>;
}

/** A user paid for a product of the app. */
export interface WxPusherPaymentEvent {
  type: 'payment';
  action: 'order_pay';
  data: {
    uid: string;
    appId: number;
    prodId: number;
    tradeNo: string;
    /** Cents. */
    amount: number;
    /** 1 or 2 as sent by WxPusher. */
    type?: number;
    addTime?: number;
    createTime?: number;
  };
  raw: Record<string, unknown>;
}

/** An action this version does not know yet: passed through untouched. */
export interface WxPusherUnknownEvent {
  type: 'unknown';
  action: string;
  data: unknown;
  raw: Record<string, unknown>;
}

export type WxPusherCallbackEvent = WxPusherSubscribeEvent | WxPusherCommandEvent | WxPusherPaymentEvent | WxPusherUnknownEvent;

type Fields = Record<string, unknown>;

const invalid = (message: string): never => {
  throw validationError('wxpusher', 'INVALID_CALLBACK', message, 'The body is not a WxPusher callback; check who posts to this URL.');
};

/**
 * Parses and validates a WxPusher callback body (object or JSON text). Known actions are checked
 * and typed; unknown future actions come back as `type: 'unknown'` with their data untouched.
 */
export function parseWxPusherCallback(body: unknown): WxPusherCallbackEvent {
  const raw = typeof body === 'string' || Buffer.isBuffer(body) ? tryParseJson(body.toString()) : body;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) invalid('callback body must be a JSON object');
  const record = raw as Fields;
  const action = record.action;
  if (typeof action !== 'string' || action === '') invalid('callback has no action');
  const data = record.data;
  switch (action) {
    case 'app_subscribe': {
      const d = object(data, action);
      return {
        type: 'subscribe',
        action,
        raw: record,
        data: {
          uid: requiredString(d, 'uid', action),
          appId: requiredNumber(d, 'appId', action),
          ...optional<WxPusherSubscribeEvent['data']>(d, { appKey: 'string', appName: 'string', source: 'string', userName: 'string', userHeadImg: 'string', time: 'number', extra: 'string' }, action),
        },
      };
    }
    case 'send_up_cmd': {
      const d = object(data, action);
      return {
        type: 'command',
        action,
        raw: record,
        data: {
          uid: requiredString(d, 'uid', action),
          appId: requiredNumber(d, 'appId', action),
          content: requiredString(d, 'content', action, true),
          ...optional<WxPusherCommandEvent['data']>(d, { appName: 'string', time: 'number' }, action),
        },
      };
    }
    case 'order_pay': {
      const d = object(data, action);
      return {
        type: 'payment',
        action,
        raw: record,
        data: {
          uid: requiredString(d, 'uid', action),
          appId: requiredNumber(d, 'appId', action),
          prodId: requiredNumber(d, 'prodId', action),
          tradeNo: requiredString(d, 'tradeNo', action),
          amount: requiredNumber(d, 'amount', action),
          ...optional<WxPusherPaymentEvent['data']>(d, { type: 'number', addTime: 'number', createTime: 'number' }, action),
        },
      };
    }
    default:
      return { type: 'unknown', action: action as string, data, raw: record };
  }
}

function object(value: unknown, action: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid(`${action}: data must be an object`);
  return value as Fields;
}

function requiredString(d: Fields, key: string, action: string, allowEmpty = false): string {
  const v = d[key];
  if (typeof v !== 'string' || (!allowEmpty && v === '')) invalid(`${action}: data.${key} must be a non-empty string`);
  return v as string;
}

/** Numbers may arrive as numeric strings (ids, amounts). */
function requiredNumber(d: Fields, key: string, action: string): number {
  const v = d[key];
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) invalid(`${action}: data.${key} must be a number`);
  return n as number;
}

function optional<T>(d: Fields, spec: Partial<Record<keyof T, 'string' | 'number'>>, action: string): Partial<T> {
  const out: Fields = {};
  for (const [key, kind] of Object.entries(spec)) {
    const v = d[key];
    if (v === undefined || v === null) continue;
    if (kind === 'number') out[key] = requiredNumber(d, key, action);
    else if (typeof v === 'string') out[key] = v;
    else invalid(`${action}: data.${key} must be a string`);
  }
  return out as Partial<T>;
}

/**
 * WxPusher callbacks are unsigned, so the receiving URL carries a secret (path token or header).
 * Compares it in constant time: both sides are hashed to equal-length digests first, so neither
 * the content nor the length of the expected secret leaks through timing.
 */
export function verifyCallbackSecret(expected: string, presented: string | string[] | undefined | null): boolean {
  if (typeof expected !== 'string' || expected === '') return false;
  const value = Array.isArray(presented) ? presented[0] : presented;
  if (typeof value !== 'string' || value === '') return false;
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(a, b);
}
