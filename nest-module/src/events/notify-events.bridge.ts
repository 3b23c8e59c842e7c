import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { compileTemplate, type CompiledTemplate, type Notification } from '@wxnotify/core';
import { NOTIFY_RUNTIME } from '../notify.constants.js';
import type { NotifyEventRule } from '../notify.options.js';
import type { NotifyRuntime } from '../notify.runtime.js';
import { describeError, NotifyService } from '../notify.service.js';
import { renderOptions } from '../notify.render.js';

/** Namespaces an event template may read. */
export const EVENT_NAMESPACES = ['payload', 'event'] as const;

interface EmitterLike {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

interface CompiledRule {
  rule: NotifyEventRule;
  content: CompiledTemplate;
  title?: CompiledTemplate;
}

/**
 * Maps application events (`events: { 'user.added': { channel, template } }`) to notifications.
 * Subscribes through EventEmitter2 when @nestjs/event-emitter is installed and its module is
 * imported; otherwise it says so at start-up. Templates compile at start-up.
 */
@Injectable()
export class NotifyEventsBridge implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('NotifyEvents');
  private readonly rules: Map<string, CompiledRule>;
  private readonly subscriptions: Array<() => void> = [];

  constructor(
    @Inject(NOTIFY_RUNTIME) private readonly runtime: NotifyRuntime,
    @Inject(NotifyService) private readonly notify: NotifyService,
    @Inject(ModuleRef) private readonly moduleRef: ModuleRef,
  ) {
    this.rules = new Map(
      Object.entries(runtime.options.events ?? {}).map(([event, rule]) => [
        event,
        {
          rule,
          content: compileTemplate(rule.template, EVENT_NAMESPACES),
          title: rule.title !== undefined ? compileTemplate(rule.title, EVENT_NAMESPACES) : undefined,
        },
      ]),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.rules.size === 0) return;
    const emitter = await this.findEmitter();
    if (!emitter) {
      this.logger.warn(`events are configured (${[...this.rules.keys()].join(', ')}) but no EventEmitter2 was found: install @nestjs/event-emitter and import EventEmitterModule.forRoot()`);
      return;
    }
    for (const [event, compiled] of this.rules) {
      const listener = (payload: unknown): void => this.handle(event, compiled, payload);
      emitter.on(event, listener);
      this.subscriptions.push(() => emitter.off(event, listener));
    }
  }

  onApplicationShutdown(): void {
    for (const unsubscribe of this.subscriptions.splice(0)) unsubscribe();
  }

  /** Renders and dispatches one event. Public so other emitters (RxJS, custom buses) can feed it. */
  handle(event: string, compiled: CompiledRule, payload: unknown): void {
    try {
      const scope = { payload, event };
      const format = compiled.rule.format;
      const notification: Notification = {
        content: compiled.content.render(scope, renderOptions(this.runtime, format)),
        ...(compiled.title ? { title: compiled.title.render(scope, renderOptions(this.runtime, format, 'title')) } : {}),
        ...(compiled.rule.format ? { format: compiled.rule.format } : {}),
        ...(compiled.rule.to !== undefined ? { to: compiled.rule.to } : {}),
      };
      this.notify.dispatch(notification, compiled.rule.channel);
    } catch (error) {
      this.logger.warn(`event "${event}" not notified: ${describeError(error)}`);
    }
  }

  private async findEmitter(): Promise<EmitterLike | undefined> {
    let token: unknown;
    try {
      token = (await import('eventemitter2')).EventEmitter2;
    } catch {
      return undefined;
    }
    try {
      return this.moduleRef.get(token as never, { strict: false }) as EmitterLike;
    } catch {
      return undefined;
    }
  }
}
