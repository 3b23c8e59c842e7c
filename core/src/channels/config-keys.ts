import { validationError } from '../model/notify-error';
import { channelDefinitions, type ChannelType } from './registry';

/** Keys every channel config may have (BaseChannelConfig). */
export const COMMON_CONFIG_KEYS = ['type', 'baseUrl', 'timeoutMs', 'onQuota', 'quotas'] as const;

/** Every key a config of `type` may have, common ones first (old names not included). */
export function channelConfigKeys(type: ChannelType): string[] {
  return [...COMMON_CONFIG_KEYS, ...channelDefinitions[type].configKeys];
}

/**
 * Rejects a config with a key its channel does not know (a typo such as `defaulTo` would
 * otherwise be ignored and the send fail later), naming the valid keys. For hosts that read
 * configs from files; `createChannel` itself stays lenient.
 */
export function assertKnownConfigKeys(config: { type?: unknown } & Record<string, unknown>): void {
  const type = config.type as ChannelType;
  const definition = channelDefinitions[type];
  if (!definition) {
    throw validationError(String(config.type), 'UNKNOWN_CHANNEL_TYPE', `unknown channel type "${String(config.type)}"`, `Valid types: ${Object.keys(channelDefinitions).join(', ')}.`);
  }
  const valid = channelConfigKeys(type);
  const legacy = definition.legacyConfigKeys ?? {};
  const unknown = Object.keys(config).filter((key) => !valid.includes(key) && !(key in legacy));
  if (unknown.length === 0) return;
  throw validationError(
    type,
    'UNKNOWN_CONFIG_KEY',
    `unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')} in a ${type} config`,
    `Valid keys: ${valid.join(', ')}.`,
  );
}
