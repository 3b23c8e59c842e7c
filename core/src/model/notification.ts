/** How the content is written. Channels convert it to what the upstream renders. */
export type ContentFormat = 'text' | 'markdown' | 'html';

/**
 * One notification, independent of the channel. `to` and `options` are channel-specific
 * (see each channel's `*Recipients` / `*Options` type); the shared fields mean the same everywhere.
 */
export interface Notification<To = unknown, Options = Record<string, unknown>> {
  title?: string;
  content: string;
  format?: ContentFormat;
  url?: string;
  summary?: string;
  to?: To;
  /** Channel-specific message type, e.g. `textcard` for WeCom apps or `markdown_v2` for robots. */
  type?: string;
  /** Channel-specific extra fields (e.g. robot mentions, WxPusher verifyPayType). */
  options?: Options;
}
