import type { ChannelDefinition } from '../types';
import { GewechatClient, type GewechatChannel } from './client';
import { GEWECHAT_DEFAULT_RATE, GEWECHAT_QUOTAS, validateGewechatConfig, type GewechatConfig } from './config';

export type { GewechatConfig } from './config';
export { GEWECHAT_DEFAULT_RATE, GEWECHAT_QUOTAS, GEWECHAT_TOKEN_HEADER } from './config';
export type { GewechatChannel, GewechatContacts, GewechatSendDetails, GewechatSentMessage } from './client';
export type { GewechatMessageType, GewechatNotification, GewechatOptions, GewechatRecipients } from './message';
export { gewechatErrorTable } from './errors';
export {
  parseGewechatCallback,
  GewechatCallbackInbox,
  type GewechatCallbackEvent,
  type GewechatCallbackReceipt,
  type GewechatMessageEvent,
  type GewechatOtherEvent,
  type GewechatProbeEvent,
} from './callbacks';

/**
 * Personal WeChat through a gewechat-compatible server. The original gewechat project is
 * unmaintained (2025-04); any server that keeps its API works.
 */
export const gewechatDefinition: ChannelDefinition<GewechatConfig, GewechatChannel> = {
  type: 'gewechat',
  displayName: 'Personal WeChat (gewechat)',
  defaultBaseUrl: '',
  limits: {
    messagesPerWindow: GEWECHAT_DEFAULT_RATE.limit,
    windowMs: GEWECHAT_DEFAULT_RATE.windowMs,
    contactsTimeoutMs: 60_000,
  },
  quotas: GEWECHAT_QUOTAS,
  configKeys: ['token', 'appId', 'tokenHeader', 'rateLimit'],
  validateConfig: validateGewechatConfig,
  create: (config, ctx) => new GewechatClient(config, ctx),
};
