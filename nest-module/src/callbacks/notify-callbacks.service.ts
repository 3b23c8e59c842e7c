import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Deduplicator, GewechatCallbackInbox, WeComCallback } from '@wxnotify/core';
import { Subject, type Observable } from 'rxjs';
import { eventName, type NotifyCallbackEvent } from './callbacks.events.js';
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
      const { EventEmitter2 } = await import('eventemitter2');
      this.emitter = this.moduleRef.get(EventEmitter2 as never, { strict: false }) as EmitterLike;
    } catch {
      this.emitter = undefined;
    }
  }

  onApplicationShutdown(): void {
    this.subject.complete();
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
