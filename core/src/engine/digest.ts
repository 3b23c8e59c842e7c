/**
 * Digests: collect notifications per key for a window, then send one message (the windowed
 * digest of Novu and Knock). Quota coalescing (`onQuota: 'coalesce'`) runs on the same
 * `Collector`, so a digest and a storm behave alike: order kept, nothing dropped, every caller
 * told where its content went.
 *
 * How a host uses it (the gateway's alert intake, `@Notify({ digest })`):
 *
 *   const channel = createChannel(config, { clock });
 *   const digest = new Digest({
 *     windowMs: 60_000,                 // the first item of a key opens its window
 *     maxItems: 50,                     // a full window is sent at once (optional)
 *     clock,                            // the same clock as the channel (tests: the virtual clock)
 *     send: (notification) => channel.send(notification),
 *     // optional; the default renders `【汇总 N 条通知】` + each item's title and first lines
 *     render: (items, { key }) => ({ title: `${items.length} alerts for ${key}`, content: items.map((n) => n.title).join('\n'), to: items[0].to }),
 *   });
 *   const result = await digest.add('ops-team', notification);   // resolves when its digest went out
 *   result.coalesced   // { reason: 'digest', items: 12, position: 3 }
 *   result.messageIds  // the message(s) that carried it; result.queuedMs: how long it waited
 *   await digest.flush();  // on shutdown: send every open window now
 *
 * The digest message goes through `channel.send`, so channel quotas still apply to it. Keys are
 * yours: a route, a recipient list, an alert group. The window is driven by `clock.sleep`, so a
 * virtual clock runs hours of windows in milliseconds. State is per process (in memory).
 */
import type { Notification } from '../model/notification';
import type { SendResult } from '../model/send-result';
import { systemClock, type Clock } from './clock';
import { mergeNotifications, type MergeLayout } from './coalesce';

/** One caller waiting in a `Collector` queue. */
export interface Waiting<I> {
  readonly item: I;
  /** Clock time it was added. */
  readonly since: number;
  resolve(result: SendResult): void;
  reject(error: unknown): void;
}

/** What a flush did: how many waiting items (from the head) it settled, and when to try the rest. */
export interface FlushResult {
  taken: number;
  /** ms until the next flush of what is left (default: at once). */
  retryInMs?: number;
}

/**
 * Per-key FIFO queues flushed on the clock: the one mechanism behind digests and quota
 * coalescing. One flush per key runs at a time; a flush settles a prefix of the queue and says
 * when to come back for the rest.
 */
export class Collector<I> {
  private readonly queues = new Map<string, Array<Waiting<I>>>();
  private readonly due = new Map<string, number>();
  private readonly flushing = new Set<string>();
  private readonly emptied = new Map<string, Array<() => void>>();
  /** How many items (from the head) the running flush of a key holds. */
  private readonly held = new Map<string, number>();
  /** Ends the pending flush sleep of a key (a queue emptied by aborts keeps no timer). */
  private readonly timers = new Map<string, AbortController>();

  constructor(
    private readonly clock: Clock,
    private readonly flushKey: (key: string, waiting: ReadonlyArray<Waiting<I>>) => Promise<FlushResult>,
  ) {}

  /**
   * Queues `item` under `key`; a flush of `key` runs in `flushInMs` unless one is due sooner. An
   * abort of `signal` takes the item out and rejects with `aborted()`, unless a running flush
   * already holds it (then it is being sent, and settles with that send).
   */
  add(key: string, item: I, flushInMs: number, signal?: AbortSignal, aborted?: () => unknown): Promise<SendResult> {
    return new Promise<SendResult>((resolve, reject) => {
      if (signal?.aborted) {
        reject(aborted ? aborted() : signal.reason);
        return;
      }
      let queue = this.queues.get(key);
      if (!queue) {
        queue = [];
        this.queues.set(key, queue);
      }
      if (!signal) {
        queue.push({ item, since: this.clock.now(), resolve, reject });
      } else {
        const onAbort = (): void => this.cancel(key, entry, aborted ? aborted() : signal.reason);
        const entry: Waiting<I> = {
          item,
          since: this.clock.now(),
          resolve: (result) => {
            signal.removeEventListener('abort', onAbort);
            resolve(result);
          },
          reject: (error) => {
            signal.removeEventListener('abort', onAbort);
            reject(error);
          },
        };
        signal.addEventListener('abort', onAbort, { once: true });
        queue.push(entry);
      }
      this.schedule(key, flushInMs);
    });
  }

  private cancel(key: string, entry: Waiting<I>, error: unknown): void {
    const queue = this.queues.get(key);
    const index = queue ? queue.indexOf(entry) : -1;
    if (!queue || index < 0 || index < (this.held.get(key) ?? 0)) return;
    queue.splice(index, 1);
    entry.reject(error);
    if (queue.length === 0 && !this.flushing.has(key)) this.remove(key);
  }

  /** Items waiting under `key` (or under every key). */
  size(key?: string): number {
    if (key !== undefined) return this.queues.get(key)?.length ?? 0;
    let total = 0;
    for (const queue of this.queues.values()) total += queue.length;
    return total;
  }

  has(key: string): boolean {
    return this.queues.has(key);
  }

  keys(): string[] {
    return [...this.queues.keys()];
  }

  /** The live queue of `key` (read only). */
  waiting(key: string): ReadonlyArray<Waiting<I>> {
    return this.queues.get(key) ?? [];
  }

  /** Resolves once nothing waits under `key`. */
  drained(key: string): Promise<void> {
    if (!this.queues.has(key)) return Promise.resolve();
    return new Promise((resolve) => {
      const list = this.emptied.get(key) ?? [];
      list.push(resolve);
      this.emptied.set(key, list);
    });
  }

  private remove(key: string): void {
    this.queues.delete(key);
    this.due.delete(key);
    this.timers.get(key)?.abort();
    this.timers.delete(key);
    const list = this.emptied.get(key);
    this.emptied.delete(key);
    for (const resolve of list ?? []) resolve();
  }

  /** Flushes `key` now (after any flush of it already running). */
  flushNow(key: string): void {
    this.schedule(key, 0, true);
  }

  private schedule(key: string, inMs: number, force = false): void {
    const at = this.clock.now() + Math.max(0, inMs);
    const current = this.due.get(key);
    if (!force && current !== undefined && current <= at) return;
    this.due.set(key, at);
    if (inMs <= 0) {
      queueMicrotask(() => this.wake(key, at));
      return;
    }
    this.timers.get(key)?.abort();
    const timer = new AbortController();
    this.timers.set(key, timer);
    this.clock.sleep(inMs, timer.signal).then(
      () => this.wake(key, at),
      () => this.wake(key, at),
    );
  }

  private wake(key: string, at: number): void {
    if (this.due.get(key) !== at) return; // superseded by an earlier (or forced) flush
    if (this.flushing.has(key)) return; // the running flush reschedules when it ends
    this.due.delete(key);
    const queue = this.queues.get(key);
    if (!queue || queue.length === 0) {
      this.remove(key);
      return;
    }
    this.flushing.add(key);
    const snapshot = queue.slice();
    this.held.set(key, snapshot.length);
    let outcome: Promise<FlushResult>;
    try {
      outcome = this.flushKey(key, snapshot);
    } catch (error) {
      outcome = Promise.reject(error);
    }
    outcome.then(
      (result) => this.done(key, Math.max(0, Math.min(result.taken, snapshot.length)), result.retryInMs ?? 0),
      (error: unknown) => {
        // A flush that broke: fail what it held rather than leave callers waiting forever.
        for (const waiting of snapshot) waiting.reject(error);
        this.done(key, snapshot.length, 0);
      },
    );
  }

  private done(key: string, taken: number, retryInMs: number): void {
    this.flushing.delete(key);
    this.held.delete(key);
    const queue = this.queues.get(key);
    if (!queue) return;
    queue.splice(0, taken);
    if (queue.length === 0) {
      this.remove(key);
      return;
    }
    const pending = this.due.get(key);
    this.due.delete(key);
    const wanted = this.clock.now() + retryInMs;
    this.schedule(key, (pending !== undefined ? Math.min(pending, wanted) : wanted) - this.clock.now());
  }
}

export interface DigestContext {
  key: string;
  /** 1 for the first digest of this key in this process, then 2, 3, … */
  sequence: number;
  /** Clock times of the first and the last item. */
  firstAt: number;
  lastAt: number;
}

export interface DigestOptions<T> {
  /** How long a key collects after its first item. */
  windowMs: number;
  /** Send as soon as this many items are waiting (default: no limit). */
  maxItems?: number;
  /** Sends the digest message (usually `(n) => channel.send(n)`; typed to fit any channel's `send`). */
  send(notification: Notification<never, any>, key: string): Promise<SendResult>;
  /** Turns the window's items into one notification. Default (items are notifications): a merged text. */
  render?(items: T[], context: DigestContext): Notification<any, any>;
  clock?: Clock;
  /** Layout of the default render (byte cap default 2,048, WeCom's text limit). */
  layout?: Partial<MergeLayout>;
}

/** Windowed digest per key; see the top of this file. */
export class Digest<T = Notification<any, any>> {
  private readonly collector: Collector<T>;
  private readonly clock: Clock;
  private readonly sequences = new Map<string, number>();
  /** While `flush()` runs, what is left is sent at once instead of opening a new window. */
  private flushAll = false;

  constructor(private readonly options: DigestOptions<T>) {
    if (!Number.isFinite(options.windowMs) || options.windowMs < 0) throw new RangeError('digest windowMs must be a number of ms >= 0');
    if (options.maxItems !== undefined && !(Number.isInteger(options.maxItems) && options.maxItems >= 1)) throw new RangeError('digest maxItems must be an integer >= 1');
    this.clock = options.clock ?? systemClock;
    this.collector = new Collector<T>(this.clock, (key, waiting) => this.flushKey(key, waiting));
  }

  /** Adds `item` to the window of `key`; resolves with the result of the digest that carried it. */
  add(key: string, item: T): Promise<SendResult> {
    const open = this.collector.has(key);
    const promise = this.collector.add(key, item, this.options.windowMs);
    if (!open) this.sequences.set(key, (this.sequences.get(key) ?? 0) + 1);
    if (this.options.maxItems !== undefined && this.collector.size(key) >= this.options.maxItems) this.collector.flushNow(key);
    return promise;
  }

  /** Items waiting (in `key`, or in every window). */
  pending(key?: string): number {
    return this.collector.size(key);
  }

  /** Sends every open window (or the one of `key`) now and resolves when they went out. */
  async flush(key?: string): Promise<void> {
    const keys = key !== undefined ? [key] : this.collector.keys();
    this.flushAll = true;
    try {
      const waits = keys.map((k) => this.collector.drained(k));
      for (const k of keys) this.collector.flushNow(k);
      await Promise.all(waits);
    } finally {
      this.flushAll = false;
    }
  }

  private async flushKey(key: string, waiting: ReadonlyArray<Waiting<T>>): Promise<FlushResult> {
    const max = this.options.maxItems ?? waiting.length;
    const batch = waiting.slice(0, max);
    const context: DigestContext = { key, sequence: this.sequences.get(key) ?? 1, firstAt: batch[0].since, lastAt: batch[batch.length - 1].since };
    const items = batch.map((w) => w.item);
    const notification = this.options.render ? this.options.render(items, context) : this.defaultRender(batch, context);
    const now = this.clock.now();
    try {
      const result = await this.options.send(notification as Notification<never, any>, key);
      batch.forEach((w, i) => w.resolve({ ...result, coalesced: { reason: 'digest', items: batch.length, position: i + 1 }, queuedMs: now - w.since }));
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
    // What arrived meanwhile (or beyond maxItems) opens the next window, timed from its first item.
    const rest = this.collector.waiting(key)[batch.length];
    if (!rest) return { taken: batch.length };
    this.sequences.set(key, (this.sequences.get(key) ?? 0) + 1);
    const full = this.options.maxItems !== undefined && this.collector.size(key) - batch.length >= this.options.maxItems;
    return { taken: batch.length, retryInMs: this.flushAll || full ? 0 : Math.max(0, rest.since + this.options.windowMs - this.clock.now()) };
  }

  /** The default render: one text of every item's title and first lines, under `【汇总 N 条通知 #seq】`. */
  private defaultRender(batch: ReadonlyArray<Waiting<T>>, context: DigestContext): Notification<any, any> {
    const notifications = batch.map((w) => w.item as unknown as Notification<unknown, unknown>);
    const layout: MergeLayout = { maxBytes: 2048, label: '汇总', ...this.options.layout };
    // One digest is one notification: the channel splits it into parts at its own limits.
    const merged = mergeNotifications(
      batch.map((w, i) => ({ notification: notifications[i], at: w.since })),
      1,
      context.sequence,
      { ...layout, maxBytes: Number.MAX_SAFE_INTEGER },
    );
    const first = notifications[0];
    return { content: merged.parts[0], format: 'text', to: first.to, options: first.options };
  }
}
