import type { ChannelDefinition } from '../types';
import { WeComAppClient, type WeComAppChannel } from './client';
import { validateWeComAppConfig, WECOM_APP_LIMITS, WECOM_APP_QUOTAS, WECOM_DEFAULT_BASE_URL, type WeComAppConfig } from './config';

export * from './client';
export * from './config';
export * from './cards';
export { CardLedger, responseCodeExpired, responseCodeUsed } from './card-ledger';
export { templateCardUpdateBody, weComCardUpdateErrors, type TemplateCardUpdate, type TemplateCardUpdateResult } from './card-update';
export { weComAppErrors, weComGetTokenErrors } from './errors';
export type { WeComAppRecipients } from './recipients';
export { truncateUtf8, truncateChars, type WeComNewsArticle } from './render';
export { weComOutcome, type WeComBody } from './response';

export const weComAppDefinition: ChannelDefinition<WeComAppConfig, WeComAppChannel> = {
  type: 'wecom-app',
  displayName: 'WeCom app',
  defaultBaseUrl: WECOM_DEFAULT_BASE_URL,
  limits: WECOM_APP_LIMITS,
  quotas: WECOM_APP_QUOTAS,
  configKeys: ['corpId', 'corpSecret', 'agentId', 'markdownFallback', 'duplicateCheckIntervalSeconds', 'defaultTo', 'concurrency'],
  validateConfig: validateWeComAppConfig,
  create: (config, ctx) => new WeComAppClient(validateWeComAppConfig(config), ctx),
};
