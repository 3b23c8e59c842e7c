import { Inject, Injectable } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { NOTIFY_RUNTIME } from '../notify.constants.js';
import type { NotifyRuntime } from '../notify.runtime.js';
import { NotifyService, describeError } from '../notify.service.js';
import { BacklogWindow, type NotifyBacklogOptions } from './backlog-window.js';

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
  private readonly windows = new Map<string, BacklogWindow>();

  constructor(
    @Inject(NotifyService) private readonly notify: NotifyService,
    @Inject(NOTIFY_RUNTIME) private readonly runtime: NotifyRuntime,
  ) {}

  /**
   * The fire-and-forget backlog: pending, dropped and failed counts (and sent, queued, fallbacks).
   * Down when the backlog is nearly full (`maxPending`) or when notifications were dropped (or
   * failed, over `maxFailed`) within the last `windowMs`.
   */
  backlog(options: NotifyBacklogOptions = {}): HealthIndicatorResult {
    const key = options.key ?? 'notify:backlog';
    let window = this.windows.get(key);
    if (!window) {
      window = new BacklogWindow(this.runtime.context.clock);
      this.windows.set(key, window);
    }
    return { [key]: window.report(this.notify.stats(), options, this.runtime.options.maxPendingSends) };
  }

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

  /** All configured channels at once, and the backlog (`notify:backlog`; `backlog: false` leaves it out). */
  async checkAll(options: Omit<NotifyHealthOptions, 'key'> & { backlog?: NotifyBacklogOptions | false } = {}): Promise<HealthIndicatorResult> {
    const results = await Promise.all(this.notify.channelNames.map((name) => this.check(name, options)));
    if (options.backlog !== false) results.push(this.backlog(options.backlog));
    return Object.assign({}, ...results) as HealthIndicatorResult;
  }
}
