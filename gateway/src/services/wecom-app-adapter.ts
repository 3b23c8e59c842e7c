import { createChannel, type ChannelContext, type WeComAppChannel, type WeComAppConfig, type WeComDepartment, type WeComUser } from '@wxnotify/core';

export type Department = WeComDepartment;
export type Member = WeComUser;

/** The WeCom app facts a Code holds (the secret in clear only while the channel is built). */
export interface WeComAppSettings {
  corpId: string;
  corpSecret: string;
  agentId: number;
  baseUrl?: string;
  timeoutMs: number;
}

/** The core's wecom-app channel for one Code (token cache and pacing come from the shared context). */
export function createWeComApp(settings: WeComAppSettings, ctx: ChannelContext): WeComAppChannel {
  const config: WeComAppConfig = {
    type: 'wecom-app',
    corpId: settings.corpId,
    corpSecret: settings.corpSecret,
    agentId: settings.agentId,
    timeoutMs: settings.timeoutMs,
    ...(settings.baseUrl ? { baseUrl: settings.baseUrl } : {}),
  };
  return createChannel(config, ctx);
}
