import { buttonCard, validationError, type ButtonCardInput, type Clock, type TemplateCardEvent, type WeComAppChannel, type WeComAppRecipients } from '@wxnotify/core';

export interface AskOptions {
  /** A configured `wecom-app` channel (default: the module's default channel). */
  channel?: string;
  /** The question as a button card; its callback buttons (`key`) are the answers. */
  card: ButtonCardInput;
  to?: WeComAppRecipients;
  /** How long to wait for a click, on the module's clock. */
  timeoutMs: number;
  /** The line that replaces the buttons for every recipient. Default `已由 <userid> 选择 <button text>`. */
  answeredText?: (answer: AskAnswered) => string;
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

export type AskResult = AskAnswered | { answered: false; timedOut: true; taskId: string };

interface Pending {
  app: WeComAppChannel;
  labels: Map<string, string>;
  answeredText?: AskOptions['answeredText'];
  settle(result: AskResult): void;
}

/** Questions sent as button cards and waiting for their first click (in this process's memory). */
export class CardQuestions {
  private readonly pending = new Map<string, Pending>();
  private readonly stop = new AbortController();

  constructor(private readonly clock: Clock) {}

  async ask(app: WeComAppChannel | undefined, options: AskOptions): Promise<AskResult> {
    if (!app || typeof app.sendCard !== 'function') throw validationError('nestjs', 'INVALID_ASK', 'ask: channel must be a wecom-app channel (button cards need an app callback)');
    if (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0) throw validationError('nestjs', 'INVALID_ASK', 'ask: timeoutMs must be a positive number of milliseconds');
    const card = buttonCard(options.card);
    const labels = new Map(options.card.buttons.flatMap((b) => ('key' in b ? [[b.key, b.text] as const] : [])));
    if (labels.size === 0) throw validationError('nestjs', 'INVALID_ASK', 'ask: card.buttons needs at least one callback button (key)');
    const sent = await app.sendCard(card, options.to);
    return new Promise<AskResult>((resolve) => {
      const wake = new AbortController();
      const onStop = () => wake.abort();
      this.stop.signal.addEventListener('abort', onStop, { once: true });
      const settle = (result: AskResult) => {
        if (!this.pending.delete(sent.taskId)) return;
        this.stop.signal.removeEventListener('abort', onStop);
        wake.abort();
        resolve(result);
      };
      this.pending.set(sent.taskId, { app, labels, answeredText: options.answeredText, settle });
      const timedOut = () => settle({ answered: false, timedOut: true, taskId: sent.taskId });
      void this.clock.sleep(options.timeoutMs, wake.signal).then(timedOut, timedOut);
    });
  }

  /** A click on one of our cards: resolves its question and updates the card for everyone. True when it answered one. */
  async answer(event: TemplateCardEvent): Promise<boolean> {
    const question = this.pending.get(event.taskId);
    if (!question || event.event !== 'template_card_event' || !question.labels.has(event.eventKey)) return false;
    const answer: AskAnswered = { answered: true, key: event.eventKey, user: event.userId, taskId: event.taskId, at: event.createTime * 1000, event };
    question.settle(answer);
    const line = question.answeredText?.(answer) ?? `已由 ${event.userId} 选择 ${question.labels.get(event.eventKey)}`;
    await question.app.updateTemplateCard({ responseCode: event.responseCode, issuedAt: answer.at, replaceButton: line });
    return true;
  }

  /** Shutdown: stops the timers; unanswered questions resolve as timed out. */
  close(): void {
    this.stop.abort();
  }
}
