import type { HealthStatus, Notification, SendOptions, SendResult } from '@wxnotify/core';

/** Sends to a named channel (served by @wxnotify/nestjs's NotifyService, see notify-service-sender.ts). */
export interface ChannelSender {
  names(): string[];
  has(name: string): boolean;
  typeOf(name: string): string | undefined;
  /** `options.signal` aborts the send wherever it is (an outbox attempt whose lease was lost). */
  send(name: string, notification: Notification<any, any>, options?: SendOptions): Promise<SendResult>;
  /** Throws the validation error send() would give, without sending (before an asynchronous send is accepted). */
  validate(name: string, notification: Notification<any, any>): void;
  check(name: string): Promise<HealthStatus>;
}

/** When no named channel is configured (the Nest module is then not loaded). */
export const noChannels: ChannelSender = {
  names: () => [],
  has: () => false,
  typeOf: () => undefined,
  send: (name) => Promise.reject(new Error(`unknown channel ${name}`)),
  validate: (name) => {
    throw new Error(`unknown channel ${name}`);
  },
  check: (name) => Promise.reject(new Error(`unknown channel ${name}`)),
};
