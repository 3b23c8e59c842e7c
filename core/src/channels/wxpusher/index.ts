// Placeholder: replaced by the real channel implementation.
import type { Notification } from '../../model/notification';
import type { SendResult } from '../../model/send-result';
import { validationError } from '../../model/notify-error';
import type { BaseChannelConfig, Channel, ChannelDefinition, HealthStatus } from '../types';

export interface WxPusherConfig extends BaseChannelConfig {
  type: 'wxpusher';
}

export interface WxPusherChannel extends Channel<Notification> {}

export const wxPusherDefinition: ChannelDefinition<WxPusherConfig, WxPusherChannel> = {
  type: 'wxpusher',
  displayName: 'WxPusher',
  defaultBaseUrl: '',
  limits: {},
  validateConfig: (config) => config,
  create: () => ({
    type: 'wxpusher',
    send: async (): Promise<SendResult> => {
      throw validationError('wxpusher', 'NOT_IMPLEMENTED', 'channel not implemented yet');
    },
    check: async (): Promise<HealthStatus> => ({ ok: false, message: 'not implemented' }),
  }),
};
