import { Inject, Injectable } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { NotifyService, describeError } from '../notify.service.js';

export interface NotifyHealthOptions {
  /** Mark the channel down when `check()` takes longer (ms). Default 5000. */
  timeoutMs?: number;
  /** Result key; default `notify:<channel>`. */
  key?: string;
}

/**
 * Per-channel health for @nestjs/terminus: runs the core's `channel.check()` (WeCom token fetch,
 * gewechat online state, hook client status) and returns a terminus `HealthIndicatorResult`
 * (`up` / `down` with the channel's message). Never throws, never includes secrets.
 *
 *   @HealthCheck() check() { return this.health.check([() => this.notifyHealth.check('ops')]); }
 */
@Injectable()
export class NotifyHealthIndicator {
  constructor(@Inject(NotifyService) private readonly notify: NotifyService) {}

  async check(name: string, options: NotifyHealthOptions = {}): Promise<HealthIndicatorResult> {
    const key = options.key ?? `notify:${name}`;
    let channel;
    try {
      channel = this.notify.channel(name);
    } catch (error) {
      return { [key]: { status: 'down', message: describeError(error) } };
    }
    const timeoutMs = options.timeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    try {
      const status = await Promise.race([
        channel.check(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`check timed out after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return { [key]: { status: status.ok ? 'up' : 'down', channel: channel.type, message: status.message } };
    } catch (error) {
      return { [key]: { status: 'down', channel: channel.type, message: describeError(error) } };
    } finally {
      clearTimeout(timer);
    }
  }

  /** All configured channels at once. */
  async checkAll(options: Omit<NotifyHealthOptions, 'key'> = {}): Promise<HealthIndicatorResult> {
    const results = await Promise.all(this.notify.channelNames.map((name) => this.check(name, options)));
    return Object.assign({}, ...results) as HealthIndicatorResult;
  }
}
