import { gatewayDefinition, type GatewayChannel, type GatewayConfig } from './gateway';
import { gewechatDefinition, type GewechatChannel, type GewechatConfig } from './gewechat';
import type { ChannelDefinition } from './types';
import { weComAppDefinition, type WeComAppChannel, type WeComAppConfig } from './wecom-app';
import { weComBotDefinition, type WeComBotChannel, type WeComBotConfig } from './wecom-bot';
import { weComHookDefinition, type WeComHookChannel, type WeComHookConfig } from './wecom-hook';
import { wxPusherDefinition, type WxPusherChannel, type WxPusherConfig } from './wxpusher';

/** Config and client type of every built-in channel, keyed by `type`. */
export interface ChannelTypeMap {
  'wecom-app': { config: WeComAppConfig; channel: WeComAppChannel };
  'wecom-bot': { config: WeComBotConfig; channel: WeComBotChannel };
  wxpusher: { config: WxPusherConfig; channel: WxPusherChannel };
  gewechat: { config: GewechatConfig; channel: GewechatChannel };
  'wecom-hook': { config: WeComHookConfig; channel: WeComHookChannel };
  gateway: { config: GatewayConfig; channel: GatewayChannel };
}

export type ChannelType = keyof ChannelTypeMap;
export type ChannelConfig = ChannelTypeMap[ChannelType]['config'];
export type ChannelFor<C extends ChannelConfig> = C extends { type: infer T extends ChannelType } ? ChannelTypeMap[T]['channel'] : never;

export const channelDefinitions: { readonly [T in ChannelType]: ChannelDefinition<ChannelTypeMap[T]['config'], ChannelTypeMap[T]['channel']> } = {
  'wecom-app': weComAppDefinition,
  'wecom-bot': weComBotDefinition,
  wxpusher: wxPusherDefinition,
  gewechat: gewechatDefinition,
  'wecom-hook': weComHookDefinition,
  gateway: gatewayDefinition,
};

export function getChannelDefinition<T extends ChannelType>(type: T): ChannelDefinition<ChannelTypeMap[T]['config'], ChannelTypeMap[T]['channel']> {
  return channelDefinitions[type];
}
