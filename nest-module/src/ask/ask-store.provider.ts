import { Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { NOTIFY_DISPATCHER, NOTIFY_RUNTIME } from '../notify.constants.js';
import type { NotifyRuntime } from '../notify.runtime.js';
import { withBullModuleConnection } from '../queue/bull-shared-config.js';
import { QUEUE_DEFAULTS } from '../queue/queue.options.js';
import { SummaryLog } from '../summary-log.js';
import { MemoryAskStore, type AskStore } from './ask-store.js';

/** Injection token of the store of `NotifyService.ask`'s open questions. */
export const NOTIFY_ASK_STORE = Symbol('wxnotify:ask-store');

/**
 * `ask.store` when given; in queue mode a Redis store on the queue's connection and prefix
 * (loads ioredis only then); otherwise memory.
 */
export const askStoreProvider = {
  provide: NOTIFY_ASK_STORE,
  // After the dispatcher: its factory loads ioredis too, and one load at a time keeps ESM test
  // loaders (jest's vm modules fail concurrent imports of one module) working.
  inject: [NOTIFY_RUNTIME, ModuleRef, NOTIFY_DISPATCHER],
  useFactory: async (runtime: NotifyRuntime, moduleRef: ModuleRef): Promise<AskStore> => {
    const { ask, queue } = runtime.options;
    if (ask?.store) return ask.store;
    if (!queue) return new MemoryAskStore(runtime.context.clock);
    const { connection, prefix } = await withBullModuleConnection(queue, moduleRef);
    const [{ RedisAskStore }, { openRedis }] = await Promise.all([import('./redis-ask-store.js'), import('../queue/redis-connection.js')]);
    const warnings = new SummaryLog((message) => new Logger('NotifyAsk').warn(message));
    // Fail fast while Redis is down: ask() then rejects instead of hanging.
    const clients = [openRedis(connection!, { maxRetriesPerRequest: 1 }), openRedis(connection!, {})];
    for (const client of clients) client.on('error', (error: Error) => warnings.note('redis', `ask store connection: ${error.message}`));
    const store = new RedisAskStore(clients[0], clients[1], { prefix: prefix ?? QUEUE_DEFAULTS.prefix });
    store.ready().catch((error: Error) => warnings.note('redis', `ask store: not subscribed yet (${error.message}); retried on the next ask`));
    return store;
  },
};
