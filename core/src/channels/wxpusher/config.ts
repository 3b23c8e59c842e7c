import { parseHttpUrl, trimTrailingSlashes } from '../../engine/base-url';
import { asList } from '../../engine/lists';
import { isUsableRateRule, type RateRule } from '../../engine/rate-limiter';
import { checkQuotaPolicy, resolveQuotas } from '../../engine/quotas';
import { validationError } from '../../model/notify-error';
import type { BaseChannelConfig } from '../types';
import { WXPUSHER_DEFAULT_BASE_URL, wxPusherLimits, wxPusherQuotas } from './limits';

/** Who receives a WxPusher message. Single values are accepted where lists are. */
export interface WxPusherRecipients {
  /** Followers of the app (`UID_…`), standard push with the appToken. */
  uids?: string | string[];
  /** Topics of the app (integers), standard push with the appToken. */
  topicIds?: number | string | Array<number | string>;
  /** Simple-push tokens (`SPT_…`) of users who have no app; no appToken needed. */
  spts?: string | string[];
}

export interface WxPusherOptions {
  /** 0 everyone (default), 1 only paid subscribers, 2 only unpaid/expired. */
  verifyPayType?: 0 | 1 | 2;
}

export interface WxPusherConfig extends BaseChannelConfig {
  type: 'wxpusher';
  /** App token (`AT_…`) for standard push and the management API. */
  appToken?: string;
  /** Simple-push token(s) used when a notification names no recipients. */
  spt?: string | string[];
  /** Default recipients when a notification has no `to` (the same name in every channel; `to` is still read). */
  defaultTo?: WxPusherRecipients;
  /** @deprecated Use `defaultTo`. */
  to?: WxPusherRecipients;
  /** Send pace per appToken (default 20 calls / 10 s; WxPusher raises it on request). */
  rateLimit?: RateRule;
  /** Calls in flight at once for one send (default 2). */
  concurrency?: number;
}

const SPT_RE = /^SPT_[A-Za-z0-9_-]+$/;
const APP_TOKEN_RE = /^AT_[A-Za-z0-9_-]+$/;

export function isSptFormat(value: string): boolean {
  return SPT_RE.test(value);
}

const fail = (code: string, message: string, hint: string): never => {
  throw validationError('wxpusher', code, message, hint);
};

export function validateWxPusherConfig(config: WxPusherConfig): WxPusherConfig {
  const appToken = config.appToken?.trim() || undefined;
  const spts = asList(config.spt).map((s) => String(s).trim()).filter(Boolean);
  if (!appToken && spts.length === 0) {
    fail('INVALID_CONFIG', 'either appToken or spt is required', 'Set appToken (AT_…) for standard push, or spt (SPT_…) for simple push.');
  }
  if (appToken && !APP_TOKEN_RE.test(appToken)) {
    fail('INVALID_CONFIG', 'appToken must look like AT_…', 'Copy the appToken from the WxPusher admin; it starts with AT_.');
  }
  const badSpt = spts.findIndex((s) => !isSptFormat(s));
  if (badSpt >= 0) fail('INVALID_CONFIG', `spt[${badSpt}] must look like SPT_…`, 'Copy the simple-push token from the WxPusher app; it starts with SPT_.');
  const baseUrl = normaliseBaseUrl(config.baseUrl ?? WXPUSHER_DEFAULT_BASE_URL);
  const rateLimit = config.rateLimit ?? { limit: wxPusherLimits.callsPerWindow, windowMs: wxPusherLimits.windowMs };
  if (!isUsableRateRule(rateLimit)) fail('INVALID_CONFIG', 'rateLimit needs limit >= 1 and windowMs >= 1', 'Omit rateLimit to use 20 calls / 10 s.');
  const concurrency = config.concurrency ?? 2;
  if (!Number.isInteger(concurrency) || concurrency < 1) fail('INVALID_CONFIG', 'concurrency must be an integer >= 1', 'Omit it to use 2.');
  const onQuota = checkQuotaPolicy('wxpusher', config.onQuota);
  resolveQuotas('wxpusher', wxPusherQuotas, config.quotas, 0);
  const { to: legacyTo, ...rest } = config;
  return {
    ...rest,
    onQuota,
    ...(config.defaultTo ?? legacyTo ? { defaultTo: config.defaultTo ?? legacyTo } : {}),
    appToken,
    spt: spts.length > 0 ? spts : undefined,
    baseUrl,
    rateLimit,
    concurrency,
  };
}

function normaliseBaseUrl(value: string): string {
  if (!parseHttpUrl(value)) {
    fail('INVALID_CONFIG', 'baseUrl must be an http(s) URL', `Omit it to use ${WXPUSHER_DEFAULT_BASE_URL}.`);
  }
  return trimTrailingSlashes(value);
}
