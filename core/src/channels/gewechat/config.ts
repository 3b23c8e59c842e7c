import { validationError } from '../../model/notify-error';
import type { RateRule } from '../../engine/rate-limiter';
import { checkQuotaPolicy, resolveQuotas, type QuotaDefinitions } from '../../engine/quotas';
import type { BaseChannelConfig } from '../types';

export interface GewechatConfig extends BaseChannelConfig {
  type: 'gewechat';
  /** API root of a gewechat-compatible server, e.g. `http://host:2531/v2/api`. */
  baseUrl: string;
  /** Value of the token header (from `/tools/getTokenId`). */
  token: string;
  /** Device id of the logged-in WeChat account (from `/login/getLoginQrCode`). */
  appId: string;
  /** Header that carries the token; look-alike servers use another name. Default `X-GEWE-TOKEN`. */
  tokenHeader?: string;
  /**
   * Pace of outgoing messages for this account. Not an upstream rule: personal accounts that send
   * bursts risk restrictions. Default 30 per minute; `false` turns pacing off.
   */
  rateLimit?: RateRule | false;
}

export const GEWECHAT_DEFAULT_RATE: RateRule = { limit: 30, windowMs: 60_000 };

/**
 * Personal WeChat publishes no limits. Our estimate: 30 messages per minute per account, well
 * below the bursts that get accounts restricted in field reports. `rateLimit` overrides it.
 */
export const GEWECHAT_QUOTAS: QuotaDefinitions = {
  messagesPerAccount: {
    per: 'sender',
    limit: GEWECHAT_DEFAULT_RATE.limit,
    windowMs: GEWECHAT_DEFAULT_RATE.windowMs,
    overflow: 'restriction',
    estimate: true,
    description: 'Messages one logged-in account sends per minute. An estimate, not a published rule: bursts risk account restrictions.',
  },
};
export const GEWECHAT_TOKEN_HEADER = 'X-GEWE-TOKEN';

function requireString(value: unknown, field: string, hint: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw validationError('gewechat', 'INVALID_CONFIG', `config.${field} is required`, hint);
  }
  return value.trim();
}

export function validateGewechatConfig(config: GewechatConfig): GewechatConfig {
  const baseUrl = requireString(config.baseUrl, 'baseUrl', 'Use the API root of your server, e.g. http://127.0.0.1:2531/v2/api.');
  if (!/^https?:\/\/[^\s/]+/i.test(baseUrl)) {
    throw validationError('gewechat', 'INVALID_CONFIG', 'config.baseUrl must be an http(s) URL', 'Use the API root of your server, e.g. http://127.0.0.1:2531/v2/api.');
  }
  const token = requireString(config.token, 'token', 'Get a token from the server with POST /tools/getTokenId.');
  const appId = requireString(config.appId, 'appId', 'Use the appId returned by /login/getLoginQrCode for the logged-in account.');
  const tokenHeader = config.tokenHeader === undefined ? GEWECHAT_TOKEN_HEADER : requireString(config.tokenHeader, 'tokenHeader', 'Leave it out to use X-GEWE-TOKEN.');
  const rate = config.rateLimit;
  if (rate !== undefined && rate !== false && !(Number.isInteger(rate.limit) && rate.limit > 0 && rate.windowMs > 0)) {
    throw validationError('gewechat', 'INVALID_CONFIG', 'config.rateLimit needs a positive integer limit and a positive windowMs', 'Example: { limit: 30, windowMs: 60000 }, or false to turn pacing off.');
  }
  const onQuota = checkQuotaPolicy('gewechat', config.onQuota);
  resolveQuotas('gewechat', GEWECHAT_QUOTAS, config.quotas);
  return { ...config, baseUrl: baseUrl.replace(/\/+$/, ''), token, appId, tokenHeader, rateLimit: rate ?? GEWECHAT_DEFAULT_RATE, onQuota };
}
