import type { ButtonCardInput, TemplateCardEvent, WeComAppRecipients } from '@wxnotify/core';

export interface AskOptions {
  /** A configured `wecom-app` channel (default: the module's default channel). */
  channel?: string;
  /** The question as a button card; its callback buttons (`key`) are the answers. */
  card: ButtonCardInput;
  to?: WeComAppRecipients;
  /** How long to wait for a click, on the module's clock. */
  timeoutMs: number;
  /**
   * Which question this is (e.g. `deploy-approval`): carried by the `wxnotify.ask.*` events, so the
   * handler of a process that did not ask (restart, another instance) knows what the answer is for.
   */
  name?: string;
  /** JSON data handed back with the answer or the timeout (e.g. `{ release: 'v1.4.2' }`). Stored with the question. */
  context?: unknown;
  /**
   * The line that replaces the buttons for every recipient. A template over `{user}`, `{text}` (the
   * button's text) and `{key}`; default `已由 {user} 选择 {text}`. A function works only while the
   * asking process is the one that receives the click: it is not stored, so it does not survive a restart.
   */
  answeredText?: string | ((answer: AskAnswered) => string);
  /** The line that replaces the buttons when nobody answered in time. Default `已超时`. */
  timeoutText?: string;
}

export interface AskAnswered {
  answered: true;
  /** The button key clicked. */
  key: string;
  /** Userid of the member who clicked. */
  user: string;
  taskId: string;
  /** When the member clicked (ms, WeCom's CreateTime). */
  at: number;
  event: TemplateCardEvent;
}

export interface AskTimedOut {
  answered: false;
  timedOut: true;
  taskId: string;
}

/**
 * The application shut down while a durable (Redis) question was open: it stays open, and its answer
 * or timeout arrives as a `wxnotify.ask.*` event in whichever process is running then.
 */
export interface AskStillOpen {
  answered: false;
  timedOut: false;
  stillOpen: true;
  taskId: string;
}

export type AskResult = AskAnswered | AskTimedOut | AskStillOpen;

/** How a question ended, as stored and told to every process. */
export type AskOutcome = AskAnswered | AskTimedOut;

/** A question as the store keeps it: data only, so another process can finish it. */
export interface PendingQuestion {
  taskId: string;
  channel: string;
  /** Button key → button text. */
  labels: Record<string, string>;
  /** Module clock, ms. */
  deadline: number;
  answeredText?: string;
  timeoutText?: string;
  /** The send's response code: lets the card show the timeout line without a click. */
  sendCode?: { code: string; issuedAt: number };
  name?: string;
  context?: unknown;
}

/** EventEmitter2 events of `NotifyService.ask`, emitted once across every process sharing the store. */
export const ASK_EVENTS = {
  answered: 'wxnotify.ask.answered',
  timeout: 'wxnotify.ask.timeout',
} as const;

/** `C`: the type of the `context` the question was asked with (it comes back from JSON). */
export interface AskAnsweredEvent<C = unknown> {
  taskId: string;
  name?: string;
  key: string;
  /** The clicked button's text. */
  text: string;
  user: string;
  /** When the member clicked (ms). */
  at: number;
  context?: C;
}

export interface AskTimeoutEvent<C = unknown> {
  taskId: string;
  name?: string;
  /** The deadline that passed (module clock, ms). */
  at: number;
  context?: C;
}

/** `NotifyModule` option `ask`. */
export interface NotifyAskOptions {
  /** Where open questions are kept. Default: Redis in queue mode (the queue's connection and prefix), else memory. */
  store?: import('./ask-store.js').AskStore;
  /** Durable stores: how often (module clock) each process times out questions whose deadline passed unseen (their asker is gone). Default 30000 ms. */
  sweepIntervalMs?: number;
}
