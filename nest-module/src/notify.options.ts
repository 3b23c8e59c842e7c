import type { ChannelConfig, ChannelDeps, Notification } from '@wxnotify/core';
import type { NotifyQueueOptions } from './queue/queue.options.js';
import type { NotifySuccessRule } from './notify.success-rule.js';
import type { NotifyAskOptions } from './ask/ask.types.js';

/** What the service accepts: plain text, or a full core Notification. */
export type NotifyMessage = string | Notification;

/** One application event mapped to a notification (`events` option). */
export interface NotifyEventRule {
  /** Channel name from `channels`; default: `defaultChannel`. */
  channel?: string;
  /** Content template over `{{payload.x}}` and `{{event}}`. */
  template: string;
  title?: string;
  format?: Notification['format'];
  to?: unknown;
}

export interface NotifyModuleOptions {
  /** Named channel configs, e.g. `{ ops: { type: 'wecom-app', ... }, team: { type: 'wecom-bot', ... } }`. */
  channels: Record<string, ChannelConfig>;
  /** Channel used when a call names none. Default: the only channel, when there is exactly one. */
  defaultChannel?: string;
  /** How long application shutdown waits for pending sends (ms). Default 5000. */
  shutdownTimeoutMs?: number;
  /** Sends running at once for fire-and-forget dispatch. Default 8. */
  maxConcurrentSends?: number;
  /** Fire-and-forget sends waiting or running before new ones are dropped (and counted). Default 1000. */
  maxPendingSends?: number;
  /** Cap of a rendered template in UTF-8 bytes. Default 4096. */
  maxTemplateBytes?: number;
  /** IANA time zone of the template date helpers (`{{ result.at | datetime }}`). Default `Asia/Shanghai`. */
  timeZone?: string;
  /**
   * Success rule of every `@Notify` route without its own `when`, for apps with another
   * convention (e.g. `{ code: 0 }`). Default: `businessSucceeded` (skips `success: false`).
   */
  defaultWhen?: NotifySuccessRule;
  /** Application events (EventEmitter2, from @nestjs/event-emitter) mapped to notifications. */
  events?: Record<string, NotifyEventRule>;
  /** Collaborators handed to the core's createChannel: transport, token store, rate limiter, retry policy. */
  deps?: ChannelDeps;
  /** Durable delivery through BullMQ + Redis. */
  queue?: NotifyQueueOptions;
  /** Where `NotifyService.ask` keeps open questions (default: Redis in queue mode, else memory). */
  ask?: NotifyAskOptions;
}

export type NotifyDefaults = { shutdownTimeoutMs: number; maxConcurrentSends: number; maxPendingSends: number; maxTemplateBytes: number };

export const NOTIFY_DEFAULTS: NotifyDefaults = {
  shutdownTimeoutMs: 5000,
  maxConcurrentSends: 8,
  maxPendingSends: 1000,
  maxTemplateBytes: 4096,
};
