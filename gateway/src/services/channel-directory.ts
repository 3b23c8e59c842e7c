import { createChannel, type Channel, type ChannelConfig, type ChannelContext, type HealthStatus, type Notification, type SendResult } from '@wxnotify/core';
import { ConfigError } from '../config.js';

/** Sends to a named channel. Implemented over the core directly, or over @wxnotify/nestjs's NotifyService. */
export interface ChannelSender {
  names(): string[];
  has(name: string): boolean;
  typeOf(name: string): string | undefined;
  send(name: string, notification: Notification<any, any>): Promise<SendResult>;
  check(name: string): Promise<HealthStatus>;
}

/** The named channels from the environment and the channels file, built once at start. */
export class ChannelDirectory implements ChannelSender {
  private readonly channels = new Map<string, Channel<any>>();

  constructor(configs: Record<string, ChannelConfig>, ctx: ChannelContext, timeoutMs: number) {
    for (const [name, config] of Object.entries(configs)) {
      try {
        this.channels.set(name, createChannel({ timeoutMs, ...config } as ChannelConfig, ctx) as Channel<any>);
      } catch (error) {
        throw new ConfigError(`Channel "${name}": ${(error as Error).message}`);
      }
    }
  }

  names(): string[] {
    return [...this.channels.keys()];
  }

  has(name: string): boolean {
    return this.channels.has(name);
  }

  typeOf(name: string): string | undefined {
    return this.channels.get(name)?.type;
  }

  send(name: string, notification: Notification<any, any>): Promise<SendResult> {
    return this.require(name).send(notification);
  }

  check(name: string): Promise<HealthStatus> {
    return this.require(name).check();
  }

  private require(name: string): Channel<any> {
    const channel = this.channels.get(name);
    if (!channel) throw new Error(`unknown channel ${name}`);
    return channel;
  }
}
