import type { QuotaDefinitions } from '../../engine/quotas';

/** WxPusher's documented limits (docs 2026). The single place the channel, hosts and docs read them from. */
export const wxPusherLimits = {
  /** Characters (code points) per message; longer content is split into parts. */
  contentMaxChars: 40_000,
  /** Characters; longer summaries are truncated with an ellipsis. */
  summaryMaxChars: 100,
  /** Characters; longer urls are rejected (a cut url would be broken). */
  urlMaxChars: 1_000,
  uidsPerCall: 2_000,
  topicIdsPerCall: 5,
  sptsPerCall: 10,
  /** About 20 send calls per 10 s, paced per appToken. */
  callsPerWindow: 20,
  windowMs: 10_000,
  qrExtraMaxChars: 64,
  qrValidTimeMaxSeconds: 2_592_000,
  /** One poll of `scan-qrcode-uid` per code every 10 s. */
  scanPollMinIntervalMs: 10_000,
  userPageSizeMax: 100,
} as const;

export const WXPUSHER_DEFAULT_BASE_URL = 'https://wxpusher.zjiecode.com';
export const WXPUSHER_SUCCESS = 1000;

/** WxPusher's call rate per appToken (simple push: one shared budget); `rateLimit` in the config overrides it. */
export const wxPusherQuotas: QuotaDefinitions = {
  callsPerToken: {
    per: 'sender',
    limit: wxPusherLimits.callsPerWindow,
    windowMs: wxPusherLimits.windowMs,
    overflow: 'error',
    description: 'Send calls per appToken per 10 s (about 20; WxPusher raises it on request). Each part and each recipient batch is one call.',
  },
};
