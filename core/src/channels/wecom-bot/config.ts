import { checkQuotaPolicy, resolveQuotas, type QuotaDefinitions } from '../../engine/quotas';
import { validationError } from '../../model/notify-error';
import type { BaseChannelConfig } from '../types';
import { normalizeBaseUrl, WECOM_DEFAULT_BASE_URL } from '../wecom-app/config';

export interface WeComBotConfig extends BaseChannelConfig {
  type: 'wecom-bot';
  /**
   * The robot key, or the whole webhook URL copied from the WeCom client
   * (`https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`): the key is taken from it.
   */
  key: string;
  /** Messages per robot per minute before pacing (default 20, WeCom's limit). */
  perMinute?: number;
}

export const WECOM_BOT_LIMITS = {
  textBytes: 2048,
  markdownBytes: 4096,
  markdownV2Bytes: 4096,
  imageBytes: 2 * 1024 * 1024,
  fileBytes: 20 * 1024 * 1024,
  voiceBytes: 2 * 1024 * 1024,
  mediaMinBytes: 6,
  newsArticlesMax: 8,
  messagesPerMinute: 20,
} as const;

/** WeCom answers 45009 past 20 messages per robot per minute; `perMinute` in the config lowers the limit. */
export const WECOM_BOT_QUOTAS: QuotaDefinitions = {
  perRobotPerMinute: {
    per: 'sender',
    limit: 20,
    windowMs: 60_000,
    overflow: 'error',
    description: 'Messages one group robot may post per minute; WeCom answers 45009 beyond it.',
  },
};

const CHANNEL = 'wecom-bot';
const KEY = /^[A-Za-z0-9-]{8,128}$/;

/** Accepts a bare key or a webhook URL; returns the key and, for a URL, its origin. */
export function parseRobotKey(input: string): { key: string; origin?: string } {
  const value = typeof input === 'string' ? input.trim() : '';
  if (!value) throw validationError(CHANNEL, 'INVALID_CONFIG', 'key: is required', 'Paste the robot key or its webhook URL from the group robot settings.');
  if (/^https?:\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw validationError(CHANNEL, 'INVALID_CONFIG', 'key: looks like a URL but cannot be parsed');
    }
    const key = url.searchParams.get('key') ?? '';
    if (!KEY.test(key)) {
      throw validationError(CHANNEL, 'INVALID_CONFIG', 'key: the webhook URL has no valid key= parameter', 'Copy the full webhook URL (…/cgi-bin/webhook/send?key=…) or just the key.');
    }
    const prefix = url.pathname.replace(/\/cgi-bin\/webhook\/send\/?$/, '');
    return { key, origin: `${url.origin}${prefix.replace(/\/+$/, '')}` };
  }
  const fromQuery = /(?:^|[?&])key=([^&]+)/.exec(value)?.[1];
  const key = fromQuery ?? value;
  if (!KEY.test(key)) {
    throw validationError(CHANNEL, 'INVALID_CONFIG', 'key: is not a robot key (letters, digits and dashes)', 'Use the value after key= in the webhook URL.');
  }
  return { key };
}

export function validateWeComBotConfig(config: WeComBotConfig): WeComBotConfig {
  const { key, origin } = parseRobotKey(config.key);
  const baseUrl = normalizeBaseUrl(CHANNEL, config.baseUrl ?? origin ?? WECOM_DEFAULT_BASE_URL);
  const perMinute = config.perMinute ?? WECOM_BOT_LIMITS.messagesPerMinute;
  if (!Number.isInteger(perMinute) || perMinute < 1 || perMinute > WECOM_BOT_LIMITS.messagesPerMinute) {
    throw validationError(CHANNEL, 'INVALID_CONFIG', 'perMinute: must be an integer from 1 to 20');
  }
  const onQuota = checkQuotaPolicy(CHANNEL, config.onQuota);
  resolveQuotas(CHANNEL, WECOM_BOT_QUOTAS, config.quotas);
  return { ...config, key, baseUrl, perMinute, onQuota };
}
