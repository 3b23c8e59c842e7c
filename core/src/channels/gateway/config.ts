import { parseHttpUrl, trimTrailingSlashes } from '../../engine/base-url';
import { isUsableRateRule, type RateRule } from '../../engine/rate-limiter';
import { validationError } from '../../model/notify-error';
import type { BaseChannelConfig } from '../types';

export interface GatewayRecipients {
  /** WeChat id(s) for `POST /api/notify`; without one the config `code` route is used. */
  wxid?: string | string[];
}

export interface GatewayConfig extends BaseChannelConfig {
  type: 'gateway';
  /** The gateway's origin (and optional path prefix), e.g. `https://notify.example.com`. Required. */
  baseUrl: string;
  /** Configuration code for `POST /api/notify/{code}`. A capability secret: never printed. */
  code?: string;
  /** Sent as `Authorization: Bearer <apiKey>` when the gateway requires one. */
  apiKey?: string;
  /** Default recipients when a notification has no `to` (the same name in every channel; `to` is still read). */
  defaultTo?: GatewayRecipients;
  /** @deprecated Use `defaultTo`. */
  to?: GatewayRecipients;
  /** Optional client-side pace for all calls to this gateway. */
  rateLimit?: RateRule;
  /** Calls in flight at once when one notification goes to several wxids (default 4). */
  concurrency?: number;
}

const fail = (message: string, hint: string): never => {
  throw validationError('gateway', 'INVALID_CONFIG', message, hint);
};

export function validateGatewayConfig(config: GatewayConfig): GatewayConfig {
  const baseUrl = String(config.baseUrl ?? '').trim();
  if (!parseHttpUrl(baseUrl)) {
    fail('baseUrl must be the http(s) URL of the gateway', 'e.g. https://notify.example.com (no /api/notify suffix).');
  }
  const code = config.code?.trim() || undefined;
  if (code !== undefined && !/^[A-Za-z0-9_\-.~]+$/.test(code)) fail('code may only contain letters, digits and _ - . ~', 'Copy the code the gateway generated for your configuration.');
  const apiKey = config.apiKey?.trim() || undefined;
  if (apiKey !== undefined && /[\r\n]/.test(apiKey)) fail('apiKey must be a single line', 'Copy the key without line breaks.');
  const concurrency = config.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1) fail('concurrency must be an integer >= 1', 'Omit it to use 4.');
  if (config.rateLimit && !isUsableRateRule(config.rateLimit)) fail('rateLimit needs limit >= 1 and windowMs >= 1', 'Omit rateLimit for no client-side pacing.');
  const { to: legacyTo, ...rest } = config;
  const defaultTo = config.defaultTo ?? legacyTo;
  return { ...rest, ...(defaultTo ? { defaultTo } : {}), baseUrl: trimTrailingSlashes(baseUrl), code, apiKey, concurrency };
}
