import type { ChannelDefinition } from '../types';
import { WECOM_DEFAULT_BASE_URL } from '../wecom-app/config';
import { WeComBotClient, type WeComBotChannel } from './client';
import { validateWeComBotConfig, WECOM_BOT_LIMITS, WECOM_BOT_QUOTAS, type WeComBotConfig } from './config';

export * from './client';
export * from './config';
export { weComBotErrors } from './errors';

export const weComBotDefinition: ChannelDefinition<WeComBotConfig, WeComBotChannel> = {
  type: 'wecom-bot',
  displayName: 'WeCom group robot',
  defaultBaseUrl: WECOM_DEFAULT_BASE_URL,
  limits: WECOM_BOT_LIMITS,
  quotas: WECOM_BOT_QUOTAS,
  configKeys: ['key', 'perMinute'],
  validateConfig: validateWeComBotConfig,
  create: (config, ctx) => new WeComBotClient(validateWeComBotConfig(config), ctx),
};
