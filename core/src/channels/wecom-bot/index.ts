// Placeholder: replaced by the real channel implementation.
import type { Notification } from '../../model/notification';
import type { SendResult } from '../../model/send-result';
import { validationError } from '../../model/notify-error';
import type { BaseChannelConfig, Channel, ChannelDefinition, HealthStatus } from '../types';

export interface WeComBotConfig extends BaseChannelConfig {
  type: 'wecom-bot';
}

export interface WeComBotChannel extends Channel<Notification> {}

export const weComBotDefinition: ChannelDefinition<WeComBotConfig, WeComBotChannel> = {
  type: 'wecom-bot',
  displayName: 'WeComBot',
  defaultBaseUrl: '',
  limits: {},
  validateConfig: (config) => config,
  create: () => ({
    type: 'wecom-bot',
    send: async (): Promise<SendResult> => {
      throw validationError('wecom-bot', 'NOT_IMPLEMENTED', 'channel not implemented yet');
    },
    check: async (): Promise<HealthStatus> => ({ ok: false, message: 'not implemented' }),
  }),
};
