import type { Notification, SendResult } from '@wxnotify/core';
import { AlertTargets } from '../alerts/targets.js';
import type { GatewayRuntime } from '../runtime.js';
import type { ChannelSender } from '../services/channel-sender.js';
import type { DeliveryMeta } from '../store/delivery-log.js';
import type { CodeRecord } from '../store/store.js';
import { boundedWait } from './sync-wait.js';

/** Delivery-log fields of a send through a Code (resent through the same Code). */
export function codeDelivery(record: CodeRecord, reason: string): DeliveryMeta {
  return { target: AlertTargets.codeKey(record.id), codeId: record.id, receiver: record.name, channel: record.channelType, recipients: record.recipients ?? null, reason };
}

/** Delivery-log fields of a send through a named channel (resent through the same channel, to the same `to`). */
export function channelDelivery(channels: ChannelSender, name: string, reason: string, to: unknown): DeliveryMeta {
  return { target: AlertTargets.channelKey(name), receiver: name, channel: channels.typeOf(name) ?? 'unknown', recipients: to ?? null, reason };
}

/** A synchronous `{title?, content}` send through a Code (markdown, as seed 001 sends it): bounded wait, metrics, delivery log. */
export function sendThroughCode(rt: GatewayRuntime, record: CodeRecord, reason: string, message: { title?: string; content: string }): Promise<SendResult> {
  const notification: Notification<unknown, unknown> = { ...(message.title ? { title: message.title } : {}), content: message.content, format: 'markdown' };
  return rt.deliveries.record(codeDelivery(record, reason), notification, () =>
    rt.recorder.record(record.channelType, () => boundedWait(rt.config, () => rt.codes.deliver(record, notification)), { codeId: record.id }),
  );
}
