import { Logger, Module } from '@nestjs/common';
import { DiscoveryModule, ModuleRef } from '@nestjs/core';
import { NOTIFY_DISPATCHER, NOTIFY_RUNTIME, NOTIFY_WORKER } from './notify.constants.js';
import type { NotifyDispatcher } from './notify.dispatcher.js';
import { NOTIFY_MODULE_OPTIONS, NotifyConfigurableModule } from './notify.module-definition.js';
import type { NotifyModuleOptions } from './notify.options.js';
import { createNotifyRuntime, type NotifyRuntime } from './notify.runtime.js';
import { NotifyService } from './notify.service.js';
import { NotifyInterceptor } from './notify.interceptor.js';
import { NotifyEventsBridge } from './events/notify-events.bridge.js';
import { NotifyHealthIndicator } from './health/notify-health.indicator.js';
import { NotifyRoutesValidator } from './notify-routes.validator.js';
import { NotifyAlerts } from './alerts/notify-alerts.service.js';
import { NotifyDigests } from './digest/notify-digests.js';
import { withBullModuleConnection } from './queue/bull-shared-config.js';
import { askStoreProvider } from './ask/ask-store.provider.js';
import { CardQuestions } from './ask/card-questions.js';
import { AskHandlers } from './ask/ask-handlers.js';

const runtimeProvider = {
  provide: NOTIFY_RUNTIME,
  inject: [NOTIFY_MODULE_OPTIONS],
  useFactory: (options: NotifyModuleOptions): NotifyRuntime => createNotifyRuntime(options, new Logger('NotifyModule')),
};

/** Queue mode loads BullMQ only when configured, so it stays an optional peer. */
const dispatcherProvider = {
  provide: NOTIFY_DISPATCHER,
  inject: [NOTIFY_RUNTIME, ModuleRef],
  useFactory: async (runtime: NotifyRuntime, moduleRef: ModuleRef): Promise<NotifyDispatcher | null> => {
    const queue = runtime.options.queue;
    if (!queue || queue.producer === false) return null;
    const { BullMqDispatcher } = await import('./queue/bullmq.dispatcher.js');
    const dispatcher = new BullMqDispatcher(await withBullModuleConnection(queue, moduleRef));
    await dispatcher.ready();
    return dispatcher;
  },
};

/** `queue.worker: true` runs a queue worker inside this application. */
const workerProvider = {
  provide: NOTIFY_WORKER,
  inject: [NOTIFY_MODULE_OPTIONS, ModuleRef],
  useFactory: async (options: NotifyModuleOptions, moduleRef: ModuleRef) => {
    if (!options.queue?.worker) return null;
    const { startNotifyWorker } = await import('./queue/notify-worker.js');
    const handle = await startNotifyWorker({ ...options, queue: await withBullModuleConnection(options.queue, moduleRef) }, new Logger('NotifyWorker'));
    return { handle, onApplicationShutdown: () => handle.close() };
  },
};

/**
 * `NotifyModule.forRoot({ channels, defaultChannel })` or `forRootAsync({ imports, useFactory, inject })`.
 * Pass `isGlobal: true` to use NotifyService everywhere without importing the module again.
 */
/** What every notify module provides on top of its runtime (shared with NotifyTestingModule). */
export const NOTIFY_SERVICE_PROVIDERS = [NotifyService, NotifyInterceptor, NotifyEventsBridge, NotifyHealthIndicator, NotifyRoutesValidator, NotifyAlerts, NotifyDigests, askStoreProvider, AskHandlers, CardQuestions];
export const NOTIFY_EXPORTS = [NotifyService, NotifyInterceptor, NotifyHealthIndicator, NotifyAlerts, NotifyDigests, NOTIFY_RUNTIME];

@Module({
  imports: [DiscoveryModule],
  providers: [runtimeProvider, dispatcherProvider, workerProvider, ...NOTIFY_SERVICE_PROVIDERS],
  exports: NOTIFY_EXPORTS,
})
export class NotifyModule extends NotifyConfigurableModule {}
