import type { Channel, ChannelDefinition } from '../types';
import { WxPusherClient } from './client';
import { validateWxPusherConfig, type WxPusherConfig } from './config';
import { WXPUSHER_DEFAULT_BASE_URL, wxPusherLimits, wxPusherQuotas } from './limits';
import type { WxPusherManagement } from './management';
import type { WxPusherNotification } from './plan';

export type { WxPusherConfig, WxPusherRecipients, WxPusherOptions } from './config';
export type { WxPusherNotification, WxPusherContentType } from './plan';
export type { WxPusherSendDetails } from './client';
export type { WxPusherSendRecord } from './records';
export type { WxPusherQrCode, WxPusherQrCodeRequest, WxPusherUser, WxPusherUserPage, WxPusherUserQuery } from './management';
export { wxPusherErrorTable } from './errors';
export { wxPusherLimits, wxPusherQuotas, WXPUSHER_DEFAULT_BASE_URL } from './limits';
export * from './callbacks';

/** A WxPusher channel: `send`/`check` plus the management API methods. */
export interface WxPusherChannel
  extends Channel<WxPusherNotification>,
    Pick<WxPusherManagement, 'querySendStatus' | 'createQrCode' | 'queryScanUid' | 'listUsers' | 'removeFollower' | 'blockFollower' | 'unblockFollower'> {
  readonly type: 'wxpusher';
}

export const wxPusherDefinition: ChannelDefinition<WxPusherConfig, WxPusherChannel> = {
  type: 'wxpusher',
  displayName: 'WxPusher',
  defaultBaseUrl: WXPUSHER_DEFAULT_BASE_URL,
  limits: wxPusherLimits,
  quotas: wxPusherQuotas,
  configKeys: ['appToken', 'spt', 'defaultTo', 'rateLimit', 'concurrency'],
  legacyConfigKeys: { to: 'defaultTo' },
  validateConfig: validateWxPusherConfig,
  create: (config, ctx) => new WxPusherClient(config, ctx),
};
