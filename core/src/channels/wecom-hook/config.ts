import type { RateRule } from '../../engine/rate-limiter';
import { validationError } from '../../model/notify-error';
import type { BaseChannelConfig } from '../types';

export type WeComHookMode = 'direct' | 'gateway';

export interface WeComHookConfig extends BaseChannelConfig {
  type: 'wecom-hook';
  /**
   * `direct`: POST `{baseUrl}{path}` to your own hook instance (e.g. `http://192.168.1.5:23456`).
   * `gateway`: POST `{baseUrl}/open/GuidRequest` with `{app_key, app_secret, path, data}` (vendor gateway).
   * Default: `gateway` when appKey is set, else `direct`.
   */
  mode?: WeComHookMode;
  /** Direct: the instance origin (required). Gateway: default `https://chat-api.juhebot.com`. */
  baseUrl?: string;
  /** The instance id of the logged-in WeCom account. */
  guid: string;
  /** Gateway only. */
  appKey?: string;
  /** Gateway only; never printed. */
  appSecret?: string;
  /** Parallel requests of a batch send (default 5, at most 50). */
  concurrency?: number;
  /** Sessions per page when listing sessions (default 100). */
  sessionPageSize?: number;
  /** Safety cap on session pages (default 50). */
  maxSessionPages?: number;
  /** Optional pacing of every request of this guid. */
  rateLimit?: RateRule;
}

export const WECOM_HOOK_GATEWAY_URL = 'https://chat-api.juhebot.com';
export const WECOM_HOOK_LIMITS = { defaultConcurrency: 5, maxConcurrency: 50, sessionPageSize: 100, maxSessionPages: 50 } as const;

function invalid(field: string, message: string, hint?: string): never {
  throw validationError('wecom-hook', 'INVALID_CONFIG', `config.${field} ${message}`, hint);
}

function positiveInt(value: unknown, field: string, max?: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || (value as number) < 1 || (max !== undefined && (value as number) > max)) {
    invalid(field, `must be an integer from 1${max ? ` to ${max}` : ''}`);
  }
  return value as number;
}

export function validateWeComHookConfig(config: WeComHookConfig): WeComHookConfig {
  const mode: WeComHookMode = config.mode ?? (config.appKey ? 'gateway' : 'direct');
  if (mode !== 'direct' && mode !== 'gateway') invalid('mode', 'must be "direct" or "gateway"');
  if (typeof config.guid !== 'string' || config.guid.trim() === '') {
    invalid('guid', 'is required', 'The instance id of the logged-in account, as listed by /client/all_clients.');
  }
  const rawBase = typeof config.baseUrl === 'string' && config.baseUrl.trim() !== '' ? config.baseUrl.trim() : mode === 'gateway' ? WECOM_HOOK_GATEWAY_URL : undefined;
  if (!rawBase) invalid('baseUrl', 'is required in direct mode', 'The address of your hook instance, e.g. http://192.168.1.5:23456.');
  if (!/^https?:\/\/[^\s/]+/i.test(rawBase)) invalid('baseUrl', 'must be an http(s) URL');
  if (mode === 'gateway') {
    if (typeof config.appKey !== 'string' || config.appKey.trim() === '') invalid('appKey', 'is required in gateway mode');
    if (typeof config.appSecret !== 'string' || config.appSecret.trim() === '') invalid('appSecret', 'is required in gateway mode');
  }
  positiveInt(config.concurrency, 'concurrency', WECOM_HOOK_LIMITS.maxConcurrency);
  positiveInt(config.sessionPageSize, 'sessionPageSize', 1000);
  positiveInt(config.maxSessionPages, 'maxSessionPages');
  return { ...config, mode, baseUrl: rawBase.replace(/\/+$/, ''), guid: config.guid.trim() };
}
