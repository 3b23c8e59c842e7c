import type { ErrorRule, ErrorTable } from '../../engine/error-table';

/**
 * WxPusher `code` values (official Java SDK enum `ResultCode`). Anything but 1000 is a failure;
 * unknown codes fall back to `wxPusherUnknownCode` and keep their number and message.
 */
export const wxPusherErrorTable: ErrorTable = {
  1001: { action: 'fail', hint: 'WxPusher rejected the request (business error): check uids/topicIds, content and the limits named in the message.' },
  1002: { action: 'fail', hint: 'The appToken is wrong or the app was deleted: copy the AT_ token from the WxPusher admin (应用管理 → appToken).' },
  1003: { action: 'fail', hint: 'WxPusher reported a signature error: check the appToken and that no proxy rewrites the request.' },
  1004: { action: 'fail', hint: 'WxPusher does not know this API path: check baseUrl (default https://wxpusher.zjiecode.com).' },
  1005: { action: 'retry', hint: 'WxPusher reported an internal error (also sent for malformed request bodies); retried, try again later if it persists.' },
  1006: { action: 'retry', hint: 'WxPusher could not talk to WeChat; retried, try again later.' },
  1007: { action: 'retry', hint: 'WxPusher reported a network error; retried, try again later.' },
  1008: { action: 'fail', hint: 'WxPusher reported a data error: check the ids and values sent.' },
  1009: { action: 'fail', hint: 'WxPusher reported an unknown error; see the message.' },
};

export const wxPusherUnknownCode: ErrorRule = {
  action: 'fail',
  hint: 'Unknown WxPusher code; see the message and the WxPusher docs.',
};

/**
 * WxPusher documents no code for "too many calls" (its QPS limit blocks callers). Messages that say
 * so are treated as a rate limit: hold the appToken's key for one window, then retry.
 */
export function looksRateLimited(message: string): boolean {
  return /频繁|限流|频率|too many|too frequent|rate limit/i.test(message);
}
