import type { WeComCallbackOptions } from '@wxnotify/core';

export interface NotifyCallbacksOptions {
  /** Route prefix of the callback controller. Default `wxnotify/callbacks`. */
  path?: string;
  /** WeCom app callbacks (GET URL verification + POST encrypted messages) at `<path>/wecom`. */
  wecom?: WeComCallbackOptions;
  /** WxPusher callbacks at `<path>/wxpusher/<secret>` (WxPusher does not sign callbacks). */
  wxpusher?: { secret: string };
  /** gewechat callbacks at `<path>/gewechat/<secret>`. Enable `rawBody: true` in NestFactory.create to keep 64-bit ids exact. */
  gewechat?: { secret: string };
  /** JuHe WeCom hook callbacks (11010 / 11013 messages, other notify types as events) at `<path>/juhe/<secret>`. */
  juhe?: { secret: string };
  /** How long message ids are remembered to drop redeliveries (ms). Default 10 minutes. */
  dedupeTtlMs?: number;
}

export const NOTIFY_CALLBACKS_OPTIONS = Symbol('wxnotify:callbacks-options');
