// Placeholder: replaced by the real channel implementation.
import type { Notification } from '../../model/notification';
import type { SendResult } from '../../model/send-result';
import { validationError } from '../../model/notify-error';
import type { BaseChannelConfig, Channel, ChannelDefinition, HealthStatus } from '../types';

export interface WeComHookConfig extends BaseChannelConfig {
  type: 'wecom-hook';
}

export interface WeComHookChannel extends Channel<Notification> {}

export const weComHookDefinition: ChannelDefinition<WeComHookConfig, WeComHookChannel> = {
  type: 'wecom-hook',
  displayName: 'WeComHook',
  defaultBaseUrl: '',
  limits: {},
  validateConfig: (config) => config,
  create: () => ({
    type: 'wecom-hook',
    send: async (): Promise<SendResult> => {
      throw validationError('wecom-hook', 'NOT_IMPLEMENTED', 'channel not implemented yet');
    },
    check: async (): Promise<HealthStatus> => ({ ok: false, message: 'not implemented' }),
  }),
};
