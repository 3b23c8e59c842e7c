import type { Clock } from '@wxnotify/core';
import type { AskOutcome, PendingQuestion } from './ask.types.js';

/**
 * Where `NotifyService.ask` keeps its open questions (like @nestjs/throttler's storage): in memory by
 * default, on Redis in queue mode (`RedisAskStore`), or your own via `ask: { store }`.
 * `take` and `takeDue` are the atomic claims: a question is handed to exactly one caller, across processes.
 */
export interface AskStore {
  /** True when questions outlive this process (a restart finds them again). */
  readonly durable: boolean;
  save(question: PendingQuestion): Promise<void>;
  /** Overwrites a question only while it is still open (adds what the send returned). */
  refresh(question: PendingQuestion): Promise<void>;
  /** Takes an open question out; undefined when it is not open (anymore). */
  take(taskId: string): Promise<PendingQuestion | undefined>;
  /** Takes the open questions whose deadline is at or before `now` (module clock), at most `limit`. */
  takeDue(now: number, limit: number): Promise<PendingQuestion[]>;
  /** Records how a question ended for `ttlMs` and tells every process (`onFinished`). */
  finish(outcome: AskOutcome, ttlMs: number): Promise<void>;
  outcome(taskId: string): Promise<AskOutcome | undefined>;
  /** A timeout line still to be shown on the card by the next (late) click; taken once. */
  setLateUpdate(taskId: string, update: LateUpdate, ttlMs: number): Promise<void>;
  takeLateUpdate(taskId: string): Promise<LateUpdate | undefined>;
  /** Every `finish`, from any process. */
  onFinished(listener: (outcome: AskOutcome) => void): void;
  close(): Promise<void>;
}

/** The card of a timed-out question that could not be updated without a click. */
export interface LateUpdate {
  channel: string;
  text: string;
}

interface Expiring<T> {
  value: T;
  until: number;
}

/** The default store: this process only; a restart forgets the open questions. */
export class MemoryAskStore implements AskStore {
  readonly durable = false;
  private readonly open = new Map<string, PendingQuestion>();
  private readonly outcomes = new Map<string, Expiring<AskOutcome>>();
  private readonly lateUpdates = new Map<string, Expiring<LateUpdate>>();
  private readonly listeners: Array<(outcome: AskOutcome) => void> = [];

  constructor(private readonly clock: Clock) {}

  async save(question: PendingQuestion): Promise<void> {
    this.open.set(question.taskId, question);
  }

  async refresh(question: PendingQuestion): Promise<void> {
    if (this.open.has(question.taskId)) this.open.set(question.taskId, question);
  }

  async take(taskId: string): Promise<PendingQuestion | undefined> {
    const question = this.open.get(taskId);
    this.open.delete(taskId);
    return question;
  }

  async takeDue(now: number, limit: number): Promise<PendingQuestion[]> {
    const due = [...this.open.values()].filter((q) => q.deadline <= now).slice(0, limit);
    for (const q of due) this.open.delete(q.taskId);
    return due;
  }

  async finish(outcome: AskOutcome, ttlMs: number): Promise<void> {
    this.prune();
    this.outcomes.set(outcome.taskId, { value: outcome, until: this.clock.now() + ttlMs });
    for (const listener of this.listeners) listener(outcome);
  }

  async outcome(taskId: string): Promise<AskOutcome | undefined> {
    return this.live(this.outcomes, taskId);
  }

  async setLateUpdate(taskId: string, update: LateUpdate, ttlMs: number): Promise<void> {
    this.lateUpdates.set(taskId, { value: update, until: this.clock.now() + ttlMs });
  }

  async takeLateUpdate(taskId: string): Promise<LateUpdate | undefined> {
    const update = this.live(this.lateUpdates, taskId);
    this.lateUpdates.delete(taskId);
    return update;
  }

  onFinished(listener: (outcome: AskOutcome) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    this.listeners.length = 0;
  }

  private live<T>(map: Map<string, Expiring<T>>, key: string): T | undefined {
    const entry = map.get(key);
    return entry && entry.until > this.clock.now() ? entry.value : undefined;
  }

  /** Ended questions are remembered for late clicks; drop the expired ones as new ones end. */
  private prune(): void {
    const now = this.clock.now();
    for (const map of [this.outcomes, this.lateUpdates] as Array<Map<string, Expiring<unknown>>>) {
      for (const [key, entry] of map) if (entry.until <= now) map.delete(key);
    }
  }
}
