import { validationError } from '../../model/notify-error';
import { checkQuotaPolicy, resolveQuotas, type QuotaDefinitions } from '../../engine/quotas';
import type { BaseChannelConfig } from '../types';
import type { WeComAppRecipients } from './recipients';

export const WECOM_DEFAULT_BASE_URL = 'https://qyapi.weixin.qq.com';

/** How markdown is sent when readers use WeChat (the plugin shows "暂不支持此消息类型" for markdown). */
export type MarkdownFallback = 'none' | 'text' | 'textcard';

export interface WeComAppConfig extends BaseChannelConfig {
  type: 'wecom-app';
  /** Corp ID (`ww…`). */
  corpId: string;
  /** The Secret of this app (each app has its own). */
  corpSecret: string;
  /** The app's AgentId (an integer; numeric strings are accepted). */
  agentId: number | string;
  /** Default for markdown messages: keep markdown (`none`, default), or send readable `text` / a `textcard`. */
  markdownFallback?: MarkdownFallback;
  /**
   * WeCom's duplicate check window in seconds (1..14400, default 300). Identical request bodies
   * inside the window are delivered once, so a retried send never arrives twice. 0 disables it.
   */
  duplicateCheckIntervalSeconds?: number;
  /** Recipients used when a notification has no `to`. Never defaults to @all. */
  defaultTo?: WeComAppRecipients;
  /** Parallel requests per send when recipients are batched (default 4). */
  concurrency?: number;
}

export const WECOM_APP_LIMITS = {
  textBytes: 2048,
  markdownBytes: 2048,
  usersPerCall: 1000,
  partiesPerCall: 100,
  tagsPerCall: 100,
  textcardTitleChars: 128,
  textcardDescriptionChars: 512,
  textcardUrlBytes: 2048,
  textcardButtonChars: 4,
  newsArticlesMax: 8,
  newsTitleBytes: 128,
  newsDescriptionBytes: 512,
  newsUrlBytes: 2048,
  imageBytes: 10 * 1024 * 1024,
  fileBytes: 20 * 1024 * 1024,
  voiceBytes: 2 * 1024 * 1024,
  videoBytes: 10 * 1024 * 1024,
  mediaMinBytes: 6,
  videoTitleBytes: 128,
  videoDescriptionBytes: 512,
  mpnewsContentBytes: 666 * 1024,
  mpnewsDigestBytes: 512,
  mpnewsAuthorBytes: 64,
  duplicateCheckMaxSeconds: 14400,
  duplicateCheckDefaultSeconds: 300,
  // Interactive template cards (alerts-and-cards.md §4.2–4.6). Character counts are WeCom's
  // suggested sizes (longer text is cut on the client); byte and list sizes are hard limits.
  cardTaskIdBytes: 128,
  cardKeyBytes: 1024,
  cardOptionIdBytes: 128,
  cardButtonsMin: 1,
  cardButtonsMax: 6,
  cardButtonTextChars: 10,
  cardTitleChars: 36,
  cardDescriptionChars: 44,
  cardSubTitleChars: 160,
  cardSourceChars: 20,
  cardFieldsMax: 6,
  cardFieldKeyChars: 5,
  cardFieldValueChars: 30,
  cardQuoteTextChars: 160,
  cardVoteOptionsMax: 20,
  cardVoteOptionChars: 17,
  cardSelectsMax: 3,
  cardSelectOptionsMax: 10,
  cardSelectOptionChars: 16,
  cardUrlBytes: 2048,
  /** A response_code (from the send or from a click) works for one update within 72 h. */
  cardResponseCodeTtlSeconds: 72 * 3600,
} as const;

/**
 * WeCom keeps at most 30 messages per minute and 1,000 per hour per member per app and drops the
 * rest while still answering errcode 0. Parties, tags and @all cannot be counted per member: each
 * is budgeted as one key of its own, apart from the members reached directly.
 */
export const WECOM_APP_QUOTAS: QuotaDefinitions = {
  perMemberPerMinute: {
    per: 'recipient',
    limit: 30,
    windowMs: 60_000,
    overflow: 'silent-drop',
    description: 'Messages one member gets from one app per minute (party, tag, @all: per key). WeCom drops the excess and answers errcode 0.',
  },
  perMemberPerHour: {
    per: 'recipient',
    limit: 1000,
    windowMs: 3_600_000,
    overflow: 'silent-drop',
    description: 'Messages one member gets from one app per hour (party, tag, @all: per key). WeCom drops the excess and answers errcode 0.',
  },
};

const CHANNEL = 'wecom-app';

export function validateWeComAppConfig(config: WeComAppConfig): WeComAppConfig {
  const bad = (field: string, message: string, hint?: string) => validationError(CHANNEL, 'INVALID_CONFIG', `${field}: ${message}`, hint);
  const corpId = typeof config.corpId === 'string' ? config.corpId.trim() : '';
  if (!corpId) throw bad('corpId', 'is required', 'Copy the Corp ID from My Company → Company Info.');
  const corpSecret = typeof config.corpSecret === 'string' ? config.corpSecret.trim() : '';
  if (!corpSecret) throw bad('corpSecret', 'is required', 'Copy the Secret from the app page in the WeCom admin console.');
  const agentId = typeof config.agentId === 'string' && /^\d+$/.test(config.agentId.trim()) ? Number(config.agentId) : config.agentId;
  if (typeof agentId !== 'number' || !Number.isSafeInteger(agentId) || agentId < 0) {
    throw bad('agentId', 'must be an integer', 'Use the AgentId shown on the app page (e.g. 1000002).');
  }
  const baseUrl = normalizeBaseUrl(CHANNEL, config.baseUrl ?? WECOM_DEFAULT_BASE_URL);
  const fallback = config.markdownFallback ?? 'none';
  if (!['none', 'text', 'textcard'].includes(fallback)) throw bad('markdownFallback', 'must be none, text or textcard');
  const interval = config.duplicateCheckIntervalSeconds ?? WECOM_APP_LIMITS.duplicateCheckDefaultSeconds;
  if (!Number.isInteger(interval) || interval < 0 || interval > WECOM_APP_LIMITS.duplicateCheckMaxSeconds) {
    throw bad('duplicateCheckIntervalSeconds', 'must be an integer from 0 to 14400');
  }
  const concurrency = config.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw bad('concurrency', 'must be an integer from 1 to 64');
  const onQuota = checkQuotaPolicy(CHANNEL, config.onQuota);
  resolveQuotas(CHANNEL, WECOM_APP_QUOTAS, config.quotas);
  return { ...config, corpId, corpSecret, agentId, baseUrl, markdownFallback: fallback, duplicateCheckIntervalSeconds: interval, concurrency, onQuota };
}

/** Checks an http(s) origin (optionally with a path prefix, e.g. a proxy) and drops the trailing slash. */
export function normalizeBaseUrl(channel: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw validationError(channel, 'INVALID_CONFIG', 'baseUrl: not a valid URL', 'Use e.g. https://qyapi.weixin.qq.com or your proxy origin.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw validationError(channel, 'INVALID_CONFIG', 'baseUrl: must start with http:// or https://');
  }
  if (url.search || url.hash) throw validationError(channel, 'INVALID_CONFIG', 'baseUrl: must not contain a query or fragment');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
