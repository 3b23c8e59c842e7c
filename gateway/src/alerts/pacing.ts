import { channelDefinitions, type ChannelType } from '@wxnotify/core';

/**
 * Least time between two alert messages to one receiver: twice the spacing the channel's
 * tightest quota allows (robot 20/min → 6 s; WeCom app 30/min per member → 4 s), read from the
 * channel definition. Groups that fall due meanwhile wait and go out together as one digest, and
 * half of the quota stays free for the receiver's other senders. 0 for channels without quotas.
 */
export function alertPaceMs(channelType: string): number {
  const quotas = channelDefinitions[channelType as ChannelType]?.quotas ?? {};
  let spacing = 0;
  for (const q of Object.values(quotas)) if (q.limit > 0) spacing = Math.max(spacing, q.windowMs / q.limit);
  return Math.ceil(2 * spacing);
}
