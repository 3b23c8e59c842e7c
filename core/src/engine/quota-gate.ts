import type { Notification } from '../model/notification';
import { abortedError } from '../model/notify-error';
import type { SendResult } from '../model/send-result';
import type { Clock } from './clock';
import { mergeNotifications, type MergeItem, type MergeLayout } from './coalesce';
import { Collector, type FlushResult, type Waiting } from './digest';
import { quotaExceededError, type QuotaPolicy } from './quotas';
import { MemoryRateLimiter, type RateLimiter, type RateRule, type Reservation } from './rate-limiter';
import { currentMaxWaitMs, type RetryPolicy } from './retry';

/** What one send costs in quota, worked out by the channel from the validated notification. */
export interface QuotaTicket {
  /** Budget keys charged: one per recipient (member, party, tag, `@all`) or the sender (robot, token, account). */
  keys: readonly string[];
  /** The rules every key is held to (e.g. 30/min and 1,000/h per member). */
  rules: readonly RateRule[];
  /** Units each key spends: the messages each recipient gets (content parts). */
  units: number;
  /** Notifications with the same group (same channel, same recipients) merge with each other. */
  group: string;
  /** Whether it can be shown as an item of a merged text (text, markdown, cards); others wait unchanged. */
  mergeable: boolean;
}

export interface QuotaGateOptions<N extends Notification<any, any>> {
  channel: string;
  clock: Clock;
  limiter: RateLimiter;
  policy: QuotaPolicy;
  /**
   * The caller's wait bound (the channel's `retry.maxWaitMs`): a send that would wait longer for
   * its quota fails at once with `QUOTA_EXCEEDED` whatever the policy (e.g. a synchronous HTTP
   * request that must answer within seconds). Default: no bound.
   */
  maxWaitMs?: RetryPolicy['maxWaitMs'];
  /** Byte cap and look of merged messages (the channel's text limit). */
  layout: MergeLayout;
  /** Sends a notification as it is; its budget is already taken. */
  deliver(notification: N): Promise<SendResult>;
  /** The notification carrying one merged text to the recipients of `first`. */
  merged(text: string, first: N, items: readonly N[]): N;
}

/** The gate settings every channel takes from its context and config: clock, limiter, `onQuota`, the wait bound. */
export function channelGateBasics(
  channel: string,
  ctx: { clock: Clock; limiter: RateLimiter; retry: Pick<RetryPolicy, 'maxWaitMs'> },
  onQuota: QuotaPolicy | undefined,
): Pick<QuotaGateOptions<never>, 'channel' | 'clock' | 'limiter' | 'policy' | 'maxWaitMs'> {
  return { channel, clock: ctx.clock, limiter: ctx.limiter, policy: onQuota ?? 'coalesce', maxWaitMs: ctx.retry.maxWaitMs };
}

interface Queued<N> {
  notification: N;
  ticket: QuotaTicket;
  send(): Promise<SendResult>;
}

/**
 * Keeps every send of a channel inside its quotas. Fast path: nothing waits for the recipients
 * and the budget has room, so the send goes out at once (a synchronous check with the in-memory
 * limiter). Otherwise `policy` decides: `fail` rejects with `QUOTA_EXCEEDED` and `retryAfterMs`;
 * `wait` queues and sends unchanged when a slot frees; `coalesce` queues and, when a slot frees,
 * merges everything waiting for the same recipients into as many messages as the slot allows.
 */
export class QuotaGate<N extends Notification<any, any>> {
  private readonly collector: Collector<Queued<N>>;
  private readonly limiter: RateLimiter;
  private sequence = 0;

  constructor(private readonly options: QuotaGateOptions<N>) {
    // A host's limiter without `reserve` still gets budgets, per process.
    this.limiter = options.limiter.reserve ? options.limiter : new MemoryRateLimiter(options.clock);
    this.collector = new Collector<Queued<N>>(options.clock, (group, waiting) => this.flush(group, waiting));
  }

  get policy(): QuotaPolicy {
    return this.options.policy;
  }

  /** Notifications waiting for a slot (all groups, or one). */
  waiting(group?: string): number {
    return this.collector.size(group);
  }

  /** Sends through `send` when the budget allows, else as the policy says. An abort takes a queued send out of the queue. */
  send(notification: N, ticket: QuotaTicket, send: () => Promise<SendResult>, signal?: AbortSignal): Promise<SendResult> {
    if (ticket.rules.length === 0 || ticket.keys.length === 0) return send();
    if (this.collector.has(ticket.group)) return this.overQuota({ notification, ticket, send }, 1, signal);
    let reservation: Reservation | Promise<Reservation>;
    try {
      reservation = this.reserve(ticket, ticket.units);
    } catch (error) {
      return Promise.reject(error);
    }
    if (!isPromise(reservation)) {
      return reservation.granted > 0 ? send() : this.overQuota({ notification, ticket, send }, reservation.waitMs, signal);
    }
    return reservation.then((r) => (r.granted > 0 ? send() : this.overQuota({ notification, ticket, send }, r.waitMs, signal)));
  }

  /**
   * Units a send may take up front: all its parts, or, for a message with more parts than a
   * window allows, a window's worth. The channel takes `slot()` before each part past that.
   */
  upfront(ticket: QuotaTicket): number {
    return Math.min(ticket.units, smallestLimit(ticket.rules));
  }

  /** Waits for one unit for a part past `upfront()` (pacing, as robots always did); an abort ends the wait. */
  async slot(ticket: QuotaTicket, signal?: AbortSignal): Promise<void> {
    while (!signal?.aborted) {
      const r = await this.limiter.reserve!(ticket.keys, ticket.rules, 1, 1);
      if (r.granted > 0) return;
      await this.options.clock.sleep(r.waitMs, signal);
    }
  }

  private reserve(ticket: QuotaTicket, units: number, max = units): Reservation | Promise<Reservation> {
    const smallest = smallestLimit(ticket.rules);
    return this.limiter.reserve!(ticket.keys, ticket.rules, Math.min(units, smallest), Math.min(max, smallest));
  }

  private overQuota(queued: Queued<N>, waitMs: number, signal: AbortSignal | undefined): Promise<SendResult> {
    if (this.options.policy === 'fail' || waitMs > currentMaxWaitMs(this.options.maxWaitMs)) return Promise.reject(quotaExceededError(this.options.channel, waitMs, 'send'));
    return this.collector.add(queued.ticket.group, queued, waitMs, signal, () => abortedError(this.options.channel, 'send', false));
  }

  private async flush(_group: string, waiting: ReadonlyArray<Waiting<Queued<N>>>): Promise<FlushResult> {
    const head = waiting[0].item;
    let run = 0;
    if (this.options.policy === 'coalesce') while (run < waiting.length && waiting[run].item.ticket.mergeable) run++;
    if (run < 2) {
      const r = await this.reserve(head.ticket, head.ticket.units);
      if (r.granted === 0) return { taken: 0, retryInMs: r.waitMs };
      await settle(waiting[0], head.send(), (result) => ({ ...result, queuedMs: this.options.clock.now() - waiting[0].since }));
      return { taken: 1 };
    }
    const items: MergeItem[] = waiting.slice(0, run).map((w) => ({ notification: w.item.notification, at: w.since }));
    const sequence = this.sequence + 1;
    const needed = mergeNotifications(items, Number.MAX_SAFE_INTEGER, sequence, this.options.layout).parts.length;
    const r = await this.reserve(head.ticket, 1, needed);
    if (r.granted === 0) return { taken: 0, retryInMs: r.waitMs };
    this.sequence = sequence;
    const merged = mergeNotifications(items, r.granted, sequence, this.options.layout);
    const carried = waiting.slice(0, merged.taken);
    const notifications = carried.map((w) => w.item.notification);
    for (let part = 0; part < merged.parts.length; part++) {
      const members = carried.filter((_, i) => merged.partOf[i] === part);
      const sent = this.options.deliver(this.options.merged(merged.parts[part], head.notification, notifications));
      const sentAt = (): number => this.options.clock.now();
      await Promise.all(
        members.map((w) =>
          settle(w, sent, (result) => ({
            ...result,
            coalesced: { reason: 'quota', items: merged.taken, position: carried.indexOf(w) + 1 },
            queuedMs: sentAt() - w.since,
          })),
        ),
      );
    }
    return { taken: merged.taken };
  }
}

function smallestLimit(rules: readonly RateRule[]): number {
  let smallest = Infinity;
  for (const rule of rules) if (rule.limit < smallest) smallest = rule.limit;
  return smallest;
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown })?.then === 'function';
}

/** Settles one waiting caller from a send, shaping its result. */
function settle<N>(waiting: Waiting<N>, sent: Promise<SendResult>, shape: (result: SendResult) => SendResult): Promise<void> {
  return sent.then(
    (result) => waiting.resolve(shape(result)),
    (error: unknown) => waiting.reject(error),
  );
}
