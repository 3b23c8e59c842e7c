import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Deduplicator, GewechatCallbackInbox, TemplateCardInbox, WeComCallback, type TemplateCardEvent } from '@wxnotify/core';
import { NotifyService } from '../notify.service.js';
import type { ClickOutcome } from '../ask/card-questions.js';
import { Subject, type Observable } from 'rxjs';
import { cardActionEvent, eventName, type NotifyCallbackEvent } from './callbacks.events.js';
import { NOTIFY_CALLBACKS_OPTIONS, type NotifyCallbacksOptions } from './callbacks.options.js';

interface EmitterLike {
  emit(event: string, ...values: unknown[]): boolean;
}

/**
 * Holds the callback helpers of the core (WeCom crypto, gewechat inbox, de-duplication) and
 * re-emits every accepted callback: on `events$` always, and through EventEmitter2 when
 * @nestjs/event-emitter is set up.
 */
@Injectable()
export class NotifyCallbacksService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('NotifyCallbacks');
  private readonly subject = new Subject<NotifyCallbackEvent>();
  private emitter?: EmitterLike;
  readonly wecom?: WeComCallback;
  readonly gewechat: GewechatCallbackInbox;
  readonly juheDedupe: Deduplicator;
  readonly cards = new TemplateCardInbox();
  private notify?: NotifyService;

  constructor(
    @Inject(NOTIFY_CALLBACKS_OPTIONS) readonly options: NotifyCallbacksOptions,
    @Inject(ModuleRef) private readonly moduleRef: ModuleRef,
  ) {
    // Bad keys fail the start (WeComCryptoError names the field, never the value).
    this.wecom = options.wecom ? new WeComCallback(options.wecom) : undefined;
    const ttlMs = options.dedupeTtlMs ?? 10 * 60_000;
    this.gewechat = new GewechatCallbackInbox(new Deduplicator({ ttlMs }));
    this.juheDedupe = new Deduplicator({ ttlMs });
  }

  /** Every accepted callback, typed. */
  get events$(): Observable<NotifyCallbackEvent> {
    return this.subject.asObservable();
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      this.notify = this.moduleRef.get(NotifyService, { strict: false });
    } catch {
      this.notify = undefined;
    }
    try {
      const { EventEmitter2 } = await import('eventemitter2');
      this.emitter = this.moduleRef.get(EventEmitter2 as never, { strict: false }) as EmitterLike;
    } catch {
      this.emitter = undefined;
    }
  }

  onApplicationShutdown(): void {
    this.subject.complete();
  }

  /**
   * A card click reported once: answers an open `NotifyService.ask` question (the first click wins,
   * across processes), and goes to `@OnCardAction` handlers unless it came after its question ended.
   */
  async cardClicked(event: TemplateCardEvent): Promise<void> {
    this.publish({ source: 'wecom-card', event });
    let outcome: ClickOutcome = 'unknown';
    try {
      outcome = (await this.notify?.questions.answer(event)) ?? 'unknown';
    } catch (error) {
      this.logger.warn(`card click ${event.taskId} not handled: ${(error as Error).message}`);
    }
    try {
      if (outcome !== 'ended') this.emitter?.emit(cardActionEvent(event.eventKey), event);
    } catch (error) {
      this.logger.warn(`card action listener failed: ${(error as Error).message}`);
    }
  }

  publish(event: NotifyCallbackEvent): void {
    this.subject.next(event);
    try {
      this.emitter?.emit(eventName(event), event);
    } catch (error) {
      this.logger.warn(`callback listener failed: ${(error as Error).message}`);
    }
  }
}
