// Placeholder: replaced by the real channel implementation.
import type { Notification } from '../../model/notification';
import type { SendResult } from '../../model/send-result';
import { validationError } from '../../model/notify-error';
import type { BaseChannelConfig, Channel, ChannelDefinition, HealthStatus } from '../types';

export interface GewechatConfig extends BaseChannelConfig {
  type: 'gewechat';
}

export interface GewechatChannel extends Channel<Notification> {}

export const gewechatDefinition: ChannelDefinition<GewechatConfig, GewechatChannel> = {
  type: 'gewechat',
  displayName: 'Gewechat',
  defaultBaseUrl: '',
  limits: {},
  validateConfig: (config) => config,
  create: () => ({
    type: 'gewechat',
    send: async (): Promise<SendResult> => {
      throw validationError('gewechat', 'NOT_IMPLEMENTED', 'channel not implemented yet');
    },
    check: async (): Promise<HealthStatus> => ({ ok: false, message: 'not implemented' }),
  }),
};
