import type { ChannelDefinition } from '../types';
import { WeComHookClient, type WeComHookChannel } from './client';
import { validateWeComHookConfig, WECOM_HOOK_GATEWAY_URL, WECOM_HOOK_LIMITS, type WeComHookConfig } from './config';

export type { WeComHookConfig, WeComHookMode } from './config';
export { WECOM_HOOK_GATEWAY_URL, WECOM_HOOK_LIMITS } from './config';
export type {
  WeComHookChannel,
  WeComHookClientStatus,
  WeComHookNotification,
  WeComHookOptions,
  WeComHookSendDetails,
  WeComHookSendResult,
  WeComHookSessions,
  WeComHookTargetResult,
} from './client';
export { normalizeConversationId, normalizeConversationIds, type NormalizedConversationId } from './conversation-id';
export { weComHookErrorTable } from './errors';
export { parseWeComHookCallback, hookMessageText, WECOM_HOOK_MESSAGE_NOTIFY_TYPES, type WeComHookCallback, type WeComHookMessage } from './callbacks';
export { SendConfirmations, canonicalAppinfo, type SendConfirmationsOptions } from './confirmations';

/**
 * The JuHe ("聚合聊天") WeCom protocol hook: one `guid` per logged-in WeCom account, reached directly
 * (`POST {baseUrl}{path}`) or through the vendor gateway (`POST {baseUrl}/open/GuidRequest`).
 */
export const weComHookDefinition: ChannelDefinition<WeComHookConfig, WeComHookChannel> = {
  type: 'wecom-hook',
  displayName: 'WeCom hook (JuHe)',
  defaultBaseUrl: WECOM_HOOK_GATEWAY_URL,
  limits: { ...WECOM_HOOK_LIMITS },
  /** The gateway and the JuHe service pace on their side; no quota is known to count here. */
  quotas: {},
  configKeys: ['mode', 'guid', 'appKey', 'appSecret', 'concurrency', 'sessionPageSize', 'maxSessionPages', 'rateLimit'],
  validateConfig: validateWeComHookConfig,
  create: (config, ctx) => new WeComHookClient(config, ctx),
};
