import { setMaxListeners } from 'node:events';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { buttonCard, isNotifyError, NotifyError, validationError, WECOM_APP_LIMITS, type TemplateCardEvent, type WeComAppChannel } from '@wxnotify/core';
import { NOTIFY_RUNTIME } from '../notify.constants.js';
import type { NotifyRuntime } from '../notify.runtime.js';
import { SummaryLog } from '../summary-log.js';
import type { AskStore } from './ask-store.js';
import { NOTIFY_ASK_STORE } from './ask-store.provider.js';
import { AskHandlers } from './ask-handlers.js';
import { ASK_EVENTS, type AskAnswered, type AskAnsweredEvent, type AskOptions, type AskOutcome, type AskResult, type AskTimeoutEvent, type PendingQuestion } from './ask.types.js';

/** WeCom's response codes live 72 h: after that no click can update the card, so ended questions are forgotten. */
const ENDED_MEMORY_MS = WECOM_APP_LIMITS.cardResponseCodeTtlSeconds * 1000;
const DEFAULT_ANSWERED = '已由 {user} 选择 {text}';
const DEFAULT_TIMEOUT = '已超时';
const SWEEP_BATCH = 100;

/** What a card click meant for the questions: answered one, came after one ended, or is not ours. */
export type ClickOutcome = 'answered' | 'ended' | 'unknown';

interface Waiter {
  resolve(result: AskResult): void;
  /** Ends the deadline timer once the question is settled. */
  wake: AbortController;
  /** `answeredText` as a function: lives only in this process. */
  format?: (answer: AskAnswered) => string;
}

interface EmitterLike {
  emit(event: string, ...values: unknown[]): boolean;
}

function invalid(message: string): NotifyError {
  return validationError('nestjs', 'INVALID_ASK', `ask: ${message}`);
}

function storeUnavailable(error: unknown): NotifyError {
  return new NotifyError({
    channel: 'nestjs',
    code: 'ASK_STORE_UNAVAILABLE',
    kind: 'network',
    retryable: true,
    message: `ask: the question could not be stored, no card was sent (${(error as Error)?.message ?? String(error)})`,
    hint: '问题未能保存（Redis 不可用？），卡片未发送，请稍后重试。 / The ask store (Redis) is unreachable: nothing was sent; retry later.',
    cause: error,
  });
}

/** WeCom refused it, or it never left: no card can be clicked. */
function surelyNotSent(error: unknown): boolean {
  if (!isNotifyError(error)) return false;
  if (error.kind === 'aborted') return error.deliveryUnknown !== true;
  return error.kind === 'validation' || error.kind === 'upstream' || error.kind === 'quota';
}

function fill(template: string, values: Record<'user' | 'text' | 'key', string>): string {
  return template.replace(/\{(user|text|key)\}/g, (_, name: keyof typeof values) => values[name]);
}

/**
 * Button-card questions of `NotifyService.ask`: kept in the `AskStore` (memory, or Redis in queue
 * mode so they survive a restart and are shared by every instance), answered once by the first
 * click whichever process receives it, timed out once on the module clock (a sweep fires the
 * deadlines that passed while no process was waiting for them).
 */
@Injectable()
export class CardQuestions implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('NotifyAsk');
  private readonly warnings = new SummaryLog((message) => this.logger.warn(message));
  private readonly waiters = new Map<string, Waiter>();
  private readonly stop = new AbortController();
  private emitter?: EmitterLike;

  constructor(
    @Inject(NOTIFY_RUNTIME) private readonly runtime: NotifyRuntime,
    @Inject(NOTIFY_ASK_STORE) private readonly store: AskStore,
    @Inject(ModuleRef) private readonly moduleRef: ModuleRef,
    @Inject(AskHandlers) private readonly handlers: AskHandlers,
  ) {
    store.onFinished((outcome) => this.settle(outcome));
    // Every open question's deadline timer listens to it.
    setMaxListeners(0, this.stop.signal);
  }

  private get clock() {
    return this.runtime.context.clock;
  }

  async onApplicationBootstrap(): Promise<void> {
    let ready: { waitUntilReady(): Promise<void> } | undefined;
    try {
      const { EventEmitter2 } = await import('eventemitter2');
      this.emitter = this.moduleRef.get(EventEmitter2 as never, { strict: false }) as EmitterLike;
      const { EventEmitterReadinessWatcher } = await import('@nestjs/event-emitter');
      ready = this.moduleRef.get(EventEmitterReadinessWatcher, { strict: false });
    } catch {
      // No event emitter: answers still resolve the promises of ask().
    }
    // In memory every open question has its timer in this process: only a shared store has orphans.
    if (this.store.durable) void this.sweepLoop(ready);
  }

  async ask(options: AskOptions): Promise<AskResult> {
    const channel = options.channel ?? this.runtime.defaultChannel;
    const app = (channel === undefined ? undefined : this.runtime.channels.get(channel)) as WeComAppChannel | undefined;
    if (!app || typeof app.sendCard !== 'function') throw invalid('channel must be a wecom-app channel (button cards need an app callback)');
    if (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0) throw invalid('timeoutMs must be a positive number of milliseconds');
    const card = buttonCard(options.card);
    const labels = Object.fromEntries(options.card.buttons.flatMap((b) => ('key' in b ? [[b.key, b.text] as const] : [])));
    if (Object.keys(labels).length === 0) throw invalid('card.buttons needs at least one callback button (key)');
    const question: PendingQuestion = {
      taskId: card.task_id!,
      channel: channel!,
      labels,
      deadline: this.clock.now() + options.timeoutMs,
      ...questionData(options),
    };
    const wake = new AbortController();
    const waiter: Waiter = { resolve: () => undefined, wake, ...(typeof options.answeredText === 'function' ? { format: options.answeredText } : {}) };
    const result = new Promise<AskResult>((resolve) => (waiter.resolve = resolve));
    this.waiters.set(question.taskId, waiter);
    try {
      await this.store.save(question);
    } catch (error) {
      this.waiters.delete(question.taskId);
      throw storeUnavailable(error);
    }
    let sent: Awaited<ReturnType<WeComAppChannel['sendCard']>>;
    try {
      sent = await app.sendCard(card, options.to);
    } catch (error) {
      this.waiters.delete(question.taskId);
      // A card that may have arrived keeps its question: a click still answers it, or its deadline ends it.
      if (surelyNotSent(error)) await this.store.take(question.taskId).catch(() => undefined);
      throw error;
    }
    if (sent.responseCode) {
      await this.store.refresh({ ...question, sendCode: { code: sent.responseCode, issuedAt: sent.issuedAt } }).catch((error: Error) => this.warn('refresh', question.taskId, error));
    }
    void this.clock.sleep(question.deadline - this.clock.now(), AbortSignal.any([wake.signal, this.stop.signal])).then(
      () => this.deadlineReached(question.taskId),
      () => this.deadlineReached(question.taskId),
    );
    return result;
  }

  /**
   * A card click (reported once by the callback inbox). The first click on an open question takes
   * it (atomically, across processes), ends it for everyone and updates the card.
   */
  async answer(event: TemplateCardEvent): Promise<ClickOutcome> {
    if (event.event !== 'template_card_event') return 'unknown';
    const question = await this.store.take(event.taskId);
    if (!question) return this.lateClick(event);
    const text = question.labels[event.eventKey];
    if (text === undefined) {
      // Not one of its buttons: the question stays open.
      await this.store.save(question);
      return 'unknown';
    }
    const answer: AskAnswered = { answered: true, key: event.eventKey, user: event.userId, taskId: event.taskId, at: event.createTime * 1000, event };
    const format = this.waiters.get(event.taskId)?.format;
    // The question is ours alone now: the card update need not wait for the outcome's write.
    const updated = this.updateCard(question.channel, event.taskId, event.responseCode, answer.at, () =>
      format ? format(answer) : fill(question.answeredText ?? DEFAULT_ANSWERED, { user: answer.user, text, key: answer.key }),
    );
    await this.finish(answer);
    this.emit('answered', { taskId: answer.taskId, name: question.name, key: answer.key, text, user: answer.user, at: answer.at, context: question.context } satisfies AskAnsweredEvent);
    await updated;
    return 'answered';
  }

  /** Times out every open question whose deadline passed (module clock). Returns how many. */
  async sweep(): Promise<number> {
    let fired = 0;
    for (;;) {
      const due = await this.store.takeDue(this.clock.now(), SWEEP_BATCH);
      for (const question of due) {
        await this.timeOut(question).catch((error: Error) => this.warn('timeout', question.taskId, error));
        fired++;
      }
      if (due.length < SWEEP_BATCH) return fired;
    }
  }

  /**
   * Shutdown: the sweep stops. Open questions of a durable store stay open (a later start answers
   * or times them out) and their promises resolve `stillOpen`; in memory they are forgotten and
   * resolve as timed out.
   */
  async onApplicationShutdown(): Promise<void> {
    this.stop.abort();
    const open = [...this.waiters.keys()];
    for (const taskId of open) {
      if (this.store.durable) {
        this.resolveWaiter(taskId, { answered: false, timedOut: false, stillOpen: true, taskId });
      } else {
        await this.store.take(taskId);
        this.resolveWaiter(taskId, { answered: false, timedOut: true, taskId });
      }
    }
    // A store handed in through `ask.store` is its owner's to close.
    if (this.store !== this.runtime.options.ask?.store) await this.store.close();
  }

  private async sweepLoop(ready?: { waitUntilReady(): Promise<void> }): Promise<void> {
    // The first sweep emits timeouts: wait until @OnEvent handlers are subscribed.
    await ready?.waitUntilReady().catch(() => undefined);
    const interval = this.runtime.options.ask?.sweepIntervalMs ?? 30_000;
    while (!this.stop.signal.aborted) {
      await this.sweep().catch((error: Error) => this.warnings.note('sweep', `ask: sweep failed: ${error.message}`));
      await this.clock.sleep(interval, this.stop.signal).catch(() => undefined);
    }
  }

  private async deadlineReached(taskId: string): Promise<void> {
    if (this.stop.signal.aborted || !this.waiters.has(taskId)) return;
    try {
      const question = await this.store.take(taskId);
      if (question) return await this.timeOut(question);
      // Taken elsewhere: its outcome normally arrived already through onFinished.
      const outcome = await this.store.outcome(taskId);
      if (outcome) this.settle(outcome);
    } catch (error) {
      // Still open in the store: the next sweep times it out and tells this process.
      this.warn('timeout', taskId, error as Error);
    }
  }

  private async timeOut(question: PendingQuestion): Promise<void> {
    const outcome: AskOutcome = { answered: false, timedOut: true, taskId: question.taskId };
    await this.finish(outcome);
    this.emit('timeout', { taskId: question.taskId, name: question.name, at: question.deadline, context: question.context } satisfies AskTimeoutEvent);
    const text = question.timeoutText ?? DEFAULT_TIMEOUT;
    const code = question.sendCode;
    if (code && (await this.updateCard(question.channel, question.taskId, code.code, code.issuedAt, () => text))) return;
    // No usable code from the send: the next click brings one and shows the line then.
    await this.store.setLateUpdate(question.taskId, { channel: question.channel, text }, ENDED_MEMORY_MS);
  }

  private async lateClick(event: TemplateCardEvent): Promise<ClickOutcome> {
    const late = await this.store.takeLateUpdate(event.taskId);
    if (late) {
      await this.updateCard(late.channel, event.taskId, event.responseCode, event.createTime * 1000, () => late.text);
      return 'ended';
    }
    return (await this.store.outcome(event.taskId)) ? 'ended' : 'unknown';
  }

  /** True when WeCom took the update; failures are logged (the answer itself already counted). */
  private async updateCard(channel: string, taskId: string, responseCode: string, issuedAt: number, line: () => string): Promise<boolean> {
    const app = this.runtime.channels.get(channel) as WeComAppChannel | undefined;
    try {
      if (!app || typeof app.updateTemplateCard !== 'function') throw new Error(`channel "${channel}" is not a configured wecom-app channel`);
      await app.updateTemplateCard({ responseCode, issuedAt, replaceButton: line() });
      return true;
    } catch (error) {
      this.warn('card update', taskId, error as Error);
      return false;
    }
  }

  /**
   * Records the outcome for late clicks and the other processes, and settles a waiter of this one.
   * A failed write is logged, not thrown: the question is already taken, its answer or timeout still counts here.
   */
  private async finish(outcome: AskOutcome): Promise<void> {
    await this.store.finish(outcome, ENDED_MEMORY_MS).catch((error: Error) => this.warn('recording the outcome', outcome.taskId, error));
    this.settle(outcome);
  }

  private settle(outcome: AskOutcome): void {
    this.resolveWaiter(outcome.taskId, outcome);
  }

  private resolveWaiter(taskId: string, result: AskResult): void {
    const waiter = this.waiters.get(taskId);
    if (!waiter) return;
    this.waiters.delete(taskId);
    waiter.wake.abort();
    waiter.resolve(result);
  }

  /** To `@OnEvent` listeners and `@OnAskAnswered` / `@OnAskTimeout` handlers; neither holds up the card update. */
  private emit(kind: keyof typeof ASK_EVENTS, payload: AskAnsweredEvent | AskTimeoutEvent): void {
    const event = ASK_EVENTS[kind];
    try {
      this.emitter?.emit(event, payload);
    } catch (error) {
      this.logger.warn(`${event} listener failed: ${(error as Error).message}`);
    }
    void this.handlers.run(kind, payload);
  }

  private warn(what: string, taskId: string, error: Error): void {
    this.warnings.note(what, `ask ${taskId}: ${what} failed: ${error.message}`);
  }
}

/** The stored, data-only part of the options (checked: the store keeps JSON). */
function questionData(options: AskOptions): Pick<PendingQuestion, 'answeredText' | 'timeoutText' | 'name' | 'context'> {
  const { answeredText, timeoutText, name, context } = options;
  if (answeredText !== undefined && typeof answeredText !== 'string' && typeof answeredText !== 'function') throw invalid('answeredText must be a template string or a function');
  if (timeoutText !== undefined && (typeof timeoutText !== 'string' || timeoutText === '')) throw invalid('timeoutText must be a non-empty string');
  if (name !== undefined && (typeof name !== 'string' || name === '')) throw invalid('name must be a non-empty string');
  let stored: unknown;
  if (context !== undefined) {
    try {
      stored = JSON.parse(JSON.stringify(context));
    } catch {
      throw invalid('context must be JSON data (it is stored with the question)');
    }
  }
  return {
    ...(typeof answeredText === 'string' ? { answeredText } : {}),
    ...(timeoutText !== undefined ? { timeoutText } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(stored !== undefined ? { context: stored } : {}),
  };
}
