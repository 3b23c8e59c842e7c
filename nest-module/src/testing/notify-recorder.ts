import { isDeepStrictEqual } from 'node:util';
import type { Notification } from '@wxnotify/core';

/** One notification a memory channel accepted. */
export interface SentNotification {
  /** Message id returned in the SendResult (`memory-1`, `memory-2`...). */
  id: string;
  /** Channel name from the module options. */
  channel: string;
  /** Channel type of the real config (`wecom-app`...), or `memory`. */
  type: string;
  notification: Notification;
  content: string;
  title?: string;
  /** `deps.clock.now()` when it was sent. */
  at: number;
}

/** A content substring, a RegExp on the content, a partial Notification, or a predicate. */
export type SentMatcher = string | RegExp | Partial<Notification> | ((sent: SentNotification) => boolean);

export interface SentQuery {
  /** Only this channel. */
  channel?: string;
  /** How long `expectSent` waits for a match (ms). Default 2000. */
  timeoutMs?: number;
}

/** What the next sends fail with (`failNext`). */
export interface SimulatedFailure {
  code: number | string;
  message: string;
  retryable: boolean;
}

/**
 * What the memory channels of `NotifyTestingModule` "sent", with assertion helpers that work
 * with any test runner (they throw an Error listing what was sent). Dispatch is asynchronous,
 * so the helpers wait: `await recorder.expectSent('新用户已加入')`, `await recorder.expectNothingSent()`.
 */
export class NotifyRecorder {
  private readonly sentList: SentNotification[] = [];
  private readonly failures: SimulatedFailure[] = [];
  private readonly listeners = new Set<() => void>();
  private nextId = 1;

  /** Everything sent so far, oldest first. */
  get sent(): readonly SentNotification[] {
    return this.sentList;
  }

  /** The notifications sent through one channel. */
  sentTo(channel: string): SentNotification[] {
    return this.sentList.filter((s) => s.channel === channel);
  }

  /** The contents sent, oldest first (one channel, or all). */
  contents(channel?: string): string[] {
    return this.select({ channel }).map((s) => s.content);
  }

  last(channel?: string): SentNotification | undefined {
    return this.select({ channel }).at(-1);
  }

  /** The next `count` sends fail with a NotifyError (default: upstream code -1, not retryable). */
  failNext(count = 1, failure: Partial<SimulatedFailure> = {}): void {
    for (let i = 0; i < count; i++) this.failures.push({ code: failure.code ?? -1, message: failure.message ?? 'simulated failure (NotifyRecorder.failNext)', retryable: failure.retryable ?? false });
  }

  clear(): void {
    this.sentList.length = 0;
    this.failures.length = 0;
  }

  /**
   * Waits until a sent notification matches, and returns it. Fails after `timeoutMs` with the
   * list of what was sent instead.
   */
  async expectSent(matcher: SentMatcher, query: SentQuery = {}): Promise<SentNotification> {
    const find = (): SentNotification | undefined => this.select(query).find((s) => matches(s, matcher));
    const found = find() ?? (await this.until(find, query.timeoutMs ?? 2000));
    if (found) {
      await afterBookkeeping();
      return found;
    }
    throw new Error(`expected a notification matching ${describeMatcher(matcher)}${query.channel ? ` on channel "${query.channel}"` : ''}; ${this.describeSent(query)}`);
  }

  /** Waits until `count` notifications were sent (one channel, or all) and returns them. */
  async waitForSent(count = 1, query: SentQuery = {}): Promise<SentNotification[]> {
    const enough = (): SentNotification[] | undefined => (this.select(query).length >= count ? this.select(query) : undefined);
    const found = enough() ?? (await this.until(enough, query.timeoutMs ?? 2000));
    if (found) {
      await afterBookkeeping();
      return found;
    }
    throw new Error(`expected ${count} notification(s)${query.channel ? ` on channel "${query.channel}"` : ''}; ${this.describeSent(query)}`);
  }

  /** Lets pending dispatches run, then fails if anything (matching) was sent. */
  async expectNothingSent(matcher?: SentMatcher, query: Omit<SentQuery, 'timeoutMs'> = {}): Promise<void> {
    await this.settle();
    const unexpected = this.select(query).filter((s) => matcher === undefined || matches(s, matcher));
    if (unexpected.length > 0) throw new Error(`expected no notification${matcher !== undefined ? ` matching ${describeMatcher(matcher)}` : ''}; ${this.describeSent(query)}`);
  }

  /**
   * Resolves once dispatching has gone quiet: a few turns of the event loop in a row without a
   * new record. `@Notify` dispatches on the turn after the response, so call this before
   * asserting that nothing was sent.
   */
  async settle(quietTurns = 5): Promise<void> {
    let seen = this.sentList.length;
    for (let quiet = 0; quiet < quietTurns; ) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.sentList.length === seen) quiet++;
      else {
        seen = this.sentList.length;
        quiet = 0;
      }
    }
  }

  /** @internal Called by MemoryChannel. */
  record(channel: string, type: string, notification: Notification, at: number): SentNotification {
    const sent: SentNotification = { id: `memory-${this.nextId++}`, channel, type, notification, content: notification.content, ...(notification.title !== undefined ? { title: notification.title } : {}), at };
    this.sentList.push(sent);
    for (const listener of this.listeners) listener();
    return sent;
  }

  /** @internal Called by MemoryChannel. */
  takeFailure(): SimulatedFailure | undefined {
    return this.failures.shift();
  }

  private select(query: Pick<SentQuery, 'channel'>): SentNotification[] {
    return query.channel === undefined ? this.sentList : this.sentTo(query.channel);
  }

  private until<T>(check: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
    return new Promise((resolve) => {
      const done = (value: T | undefined): void => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(value);
      };
      const listener = (): void => {
        const value = check();
        if (value !== undefined) done(value);
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      this.listeners.add(listener);
    });
  }

  private describeSent(query: Pick<SentQuery, 'channel'>): string {
    const sent = this.select(query);
    if (sent.length === 0) return 'nothing was sent';
    return `sent ${sent.length}:\n${sent.map((s, i) => `  ${i + 1}. [${s.channel}] ${JSON.stringify(s.content)}`).join('\n')}`;
  }
}

/** One turn of the event loop: the send that recorded has returned, so `NotifyService.stats()` counts it. */
function afterBookkeeping(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function matches(sent: SentNotification, matcher: SentMatcher): boolean {
  if (typeof matcher === 'string') return sent.content.includes(matcher);
  if (matcher instanceof RegExp) return matcher.test(sent.content);
  if (typeof matcher === 'function') return matcher(sent);
  return Object.entries(matcher).every(([key, value]) => isDeepStrictEqual((sent.notification as unknown as Record<string, unknown>)[key], value));
}

function describeMatcher(matcher: SentMatcher): string {
  if (typeof matcher === 'string') return JSON.stringify(matcher);
  if (matcher instanceof RegExp) return String(matcher);
  if (typeof matcher === 'function') return 'the predicate';
  return JSON.stringify(matcher);
}
