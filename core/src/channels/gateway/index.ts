import type { Channel, ChannelDefinition } from '../types';
import { GatewayClient, type GatewayNotification } from './client';
import { validateGatewayConfig, type GatewayConfig } from './config';

export type { GatewayConfig, GatewayRecipients } from './config';
export type { GatewayNotification, GatewaySendDetails } from './client';
export type { GatewayDelivery, GatewayRoute } from './responses';

export interface GatewayChannel extends Channel<GatewayNotification> {
  readonly type: 'gateway';
}

export const gatewayDefinition: ChannelDefinition<GatewayConfig, GatewayChannel> = {
  type: 'gateway',
  displayName: 'wxnotify gateway',
  defaultBaseUrl: '',
  limits: {},
  /** The gateway and the JuHe service pace on their side; no quota is known to count here. */
  quotas: {},
  configKeys: ['code', 'apiKey', 'defaultTo', 'rateLimit', 'concurrency'],
  legacyConfigKeys: { to: 'defaultTo' },
  validateConfig: validateGatewayConfig,
  create: (config, ctx) => new GatewayClient(config, ctx.pipeline('gateway', [config.code, config.apiKey])),
};
