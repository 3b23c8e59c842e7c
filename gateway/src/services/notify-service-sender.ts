import type { HealthStatus, Notification, SendOptions, SendResult } from '@wxnotify/core';
import type { NotifyService } from '@wxnotify/nestjs';
import type { ChannelSender } from './channel-sender.js';

/** The named channels as @wxnotify/nestjs's NotifyService holds them (the gateway dogfoods the module). */
export class NotifyServiceSender implements ChannelSender {
  constructor(private readonly notify: NotifyService) {}

  names(): string[] {
    return this.notify.channelNames;
  }

  has(name: string): boolean {
    return this.notify.channelNames.includes(name);
  }

  typeOf(name: string): string | undefined {
    return this.has(name) ? this.notify.channel(name).type : undefined;
  }

  send(name: string, notification: Notification<any, any>, options?: SendOptions): Promise<SendResult> {
    return this.notify.send(name, notification as Notification, options);
  }

  validate(name: string, notification: Notification<any, any>): void {
    this.notify.channel(name).validate?.(notification as Notification);
  }

  check(name: string): Promise<HealthStatus> {
    return this.notify.channel(name).check();
  }
}

/**
 * Stands in for the sender until the Nest app exists (the NotifyService is built by Nest, while
 * the runtime and the outbox worker are built first).
 */
export class LateBoundSender implements ChannelSender {
  private target?: ChannelSender;

  bind(target: ChannelSender): void {
    this.target = target;
  }

  names(): string[] {
    return this.current().names();
  }
  has(name: string): boolean {
    return this.current().has(name);
  }
  typeOf(name: string): string | undefined {
    return this.current().typeOf(name);
  }
  send(name: string, notification: Notification<any, any>, options?: SendOptions): Promise<SendResult> {
    return this.current().send(name, notification, options);
  }
  validate(name: string, notification: Notification<any, any>): void {
    this.current().validate(name, notification);
  }
  check(name: string): Promise<HealthStatus> {
    return this.current().check(name);
  }

  private current(): ChannelSender {
    if (!this.target) throw new Error('channels are not ready yet');
    return this.target;
  }
}
