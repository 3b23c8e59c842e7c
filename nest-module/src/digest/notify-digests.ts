import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { Digest, type DigestContext, type Notification, type SendResult } from '@wxnotify/core';
import { NOTIFY_RUNTIME } from '../notify.constants.js';
import type { NotifyRuntime } from '../notify.runtime.js';
import { describeError, NotifyService } from '../notify.service.js';

/** `@Notify({ digest })`: collect a route's notifications per key for a window, then send one message. */
export interface NotifyDigestOptions {
  /** How long a key collects after its first notification (ms, on `deps.clock`). */
  windowMs: number;
  /**
   * What makes one digest: a template over the route's namespaces (`'{{body.team}}'`) or
   * `(result, request) => string`. Default: one digest per route.
   */
  key?: string | ((result: unknown, request: unknown) => string);
  /** Send as soon as this many are waiting. Default: no limit (the window decides). */
  maxItems?: number;
  /** The digest message from its items. Default: the core's `【汇总 N 条通知】` text with each item's title and first lines. */
  render?: (items: Notification[], context: DigestContext) => Notification;
}

/** What the digest's send hands back: the message went to `dispatch` (counted, queued or sent in process). */
const DISPATCHED = (channel: string): SendResult => ({ channel, ok: true, messageIds: [], requests: 0, parts: 1, batches: 1, retries: 0, partialFailures: [] });

/**
 * One core `Digest` per `@Notify({ digest })` route. The digest message goes through
 * `NotifyService.dispatch`, like any `@Notify` notification (bounded, counted, queue mode).
 * Open windows are sent before the application shuts down, so nothing waits in a window forever.
 */
@Injectable()
export class NotifyDigests implements BeforeApplicationShutdown {
  private readonly logger = new Logger('NotifyDigest');
  private readonly digests = new Map<object, Digest<Notification>>();

  constructor(
    @Inject(NOTIFY_RUNTIME) private readonly runtime: NotifyRuntime,
    @Inject(NotifyService) private readonly notify: NotifyService,
  ) {}

  /** Adds a rendered notification to the window of `key` on `channel`; never throws. */
  add(route: object, options: NotifyDigestOptions, channel: string | undefined, key: string, notification: Notification): void {
    const name = channel ?? this.notify.defaultChannel ?? '';
    this.digestFor(route, options)
      .add(`${name}\u0000${key}`, notification)
      .catch((error: unknown) => this.logger.warn(`digest not sent: ${describeError(error)}`));
  }

  /** Notifications waiting in digest windows. */
  pending(): number {
    let total = 0;
    for (const digest of this.digests.values()) total += digest.pending();
    return total;
  }

  /** Sends every open window now. */
  async flush(): Promise<void> {
    await Promise.all([...this.digests.values()].map((digest) => digest.flush()));
  }

  async beforeApplicationShutdown(): Promise<void> {
    const waiting = this.pending();
    if (waiting === 0) return;
    this.logger.log(`sending ${waiting} notification(s) from open digest windows before shutdown`);
    await this.flush();
  }

  private digestFor(route: object, options: NotifyDigestOptions): Digest<Notification> {
    let digest = this.digests.get(route);
    if (!digest) {
      digest = new Digest<Notification>({
        windowMs: options.windowMs,
        maxItems: options.maxItems,
        clock: this.runtime.context.clock,
        // The render sees the route's own key, not the channel-prefixed one used internally.
        ...(options.render ? { render: (items, context) => options.render!(items, { ...context, key: context.key.slice(context.key.indexOf('\u0000') + 1) }) } : {}),
        send: (message, key) => {
          const channel = key.slice(0, key.indexOf('\u0000')) || undefined;
          this.notify.dispatch(message as Notification, channel);
          return Promise.resolve(DISPATCHED(channel ?? ''));
        },
      });
      this.digests.set(route, digest);
    }
    return digest;
  }
}

/** Start-up checks of a digest option; returns the problems. */
export function digestProblems(options: NotifyDigestOptions): string[] {
  const problems: string[] = [];
  if (typeof options !== 'object' || options === null) return ['digest must be an object { windowMs, key?, maxItems? }'];
  if (!Number.isFinite(options.windowMs) || options.windowMs <= 0) problems.push('digest.windowMs must be a number of ms > 0');
  if (options.maxItems !== undefined && !(Number.isInteger(options.maxItems) && options.maxItems >= 1)) problems.push('digest.maxItems must be an integer >= 1');
  if (options.key !== undefined && typeof options.key !== 'string' && typeof options.key !== 'function') problems.push('digest.key must be a template string or a function (result, request) => string');
  if (options.render !== undefined && typeof options.render !== 'function') problems.push('digest.render must be a function (items, context) => Notification');
  return problems;
}
