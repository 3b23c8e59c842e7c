// Placeholder: replaced by the real channel implementation.
import type { Notification } from '../../model/notification';
import type { SendResult } from '../../model/send-result';
import { validationError } from '../../model/notify-error';
import type { BaseChannelConfig, Channel, ChannelDefinition, HealthStatus } from '../types';

export interface WeComAppConfig extends BaseChannelConfig {
  type: 'wecom-app';
}

export interface WeComAppChannel extends Channel<Notification> {}

export const weComAppDefinition: ChannelDefinition<WeComAppConfig, WeComAppChannel> = {
  type: 'wecom-app',
  displayName: 'WeComApp',
  defaultBaseUrl: '',
  limits: {},
  validateConfig: (config) => config,
  create: () => ({
    type: 'wecom-app',
    send: async (): Promise<SendResult> => {
      throw validationError('wecom-app', 'NOT_IMPLEMENTED', 'channel not implemented yet');
    },
    check: async (): Promise<HealthStatus> => ({ ok: false, message: 'not implemented' }),
  }),
};
