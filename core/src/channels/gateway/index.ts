// Placeholder: replaced by the real channel implementation.
import type { Notification } from '../../model/notification';
import type { SendResult } from '../../model/send-result';
import { validationError } from '../../model/notify-error';
import type { BaseChannelConfig, Channel, ChannelDefinition, HealthStatus } from '../types';

export interface GatewayConfig extends BaseChannelConfig {
  type: 'gateway';
}

export interface GatewayChannel extends Channel<Notification> {}

export const gatewayDefinition: ChannelDefinition<GatewayConfig, GatewayChannel> = {
  type: 'gateway',
  displayName: 'Gateway',
  defaultBaseUrl: '',
  limits: {},
  validateConfig: (config) => config,
  create: () => ({
    type: 'gateway',
    send: async (): Promise<SendResult> => {
      throw validationError('gateway', 'NOT_IMPLEMENTED', 'channel not implemented yet');
    },
    check: async (): Promise<HealthStatus> => ({ ok: false, message: 'not implemented' }),
  }),
};
