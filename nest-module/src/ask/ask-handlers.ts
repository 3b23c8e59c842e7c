import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { describeError } from '../errors.js';
import type { AskAnsweredEvent, AskTimeoutEvent } from './ask.types.js';
import { ASK_HANDLER_METADATA, type AskHandlerKind, type AskHandlerMetadata } from './on-ask.decorator.js';

interface AskHandler extends AskHandlerMetadata {
  /** `Class.method`, for the log. */
  where: string;
  run(event: AskAnsweredEvent | AskTimeoutEvent): unknown;
}

const DECORATOR: Record<AskHandlerKind, string> = { answered: '@OnAskAnswered', timeout: '@OnAskTimeout' };

/**
 * The `@OnAskAnswered` / `@OnAskTimeout` methods of the application's providers and controllers,
 * found at start-up. `CardQuestions` calls them once per question it took.
 */
@Injectable()
export class AskHandlers implements OnModuleInit {
  private readonly logger = new Logger('NotifyAsk');
  private handlers: AskHandler[] = [];

  constructor(
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
  ) {}

  onModuleInit(): void {
    const found: AskHandler[] = [];
    for (const wrapper of [...this.discovery.getProviders(), ...this.discovery.getControllers()]) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || wrapper.isAlias) continue;
      const prototype = Object.getPrototypeOf(instance) as object | null;
      if (!prototype) continue;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const fn = instance[method];
        if (typeof fn !== 'function') continue;
        const metadata = Reflect.getMetadata(ASK_HANDLER_METADATA, fn) as AskHandlerMetadata[] | undefined;
        if (!metadata) continue;
        const where = `${instance.constructor.name}.${method}`;
        if (!wrapper.isDependencyTreeStatic()) {
          this.logger.warn(`${where}: ask handlers must be in singleton providers (this one is request-scoped), it is not called`);
          continue;
        }
        for (const { kind, name } of metadata) found.push({ kind, ...(name !== undefined ? { name } : {}), where, run: (event) => fn.call(instance, event) });
      }
    }
    this.handlers = found;
  }

  /** Runs the matching handlers; one that throws or rejects is logged (never the context) and not retried. */
  async run(kind: AskHandlerKind, event: AskAnsweredEvent | AskTimeoutEvent): Promise<void> {
    const matching = this.handlers.filter((h) => h.kind === kind && (h.name === undefined || h.name === event.name));
    await Promise.all(
      matching.map(async (handler) => {
        try {
          await handler.run(event);
        } catch (error) {
          const question = event.name === undefined ? event.taskId : `${event.taskId} (${event.name})`;
          this.logger.warn(`ask ${question}: ${DECORATOR[kind]} handler ${handler.where} failed: ${describeError(error)}`);
        }
      }),
    );
  }
}
