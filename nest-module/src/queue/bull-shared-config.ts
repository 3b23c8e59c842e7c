import type { ModuleRef } from '@nestjs/core';
import { NotifyConfigError } from '../notify.runtime.js';
import { bullConfigKey, type NotifyQueueOptions, type NotifyRedisConnection } from './queue.options.js';

interface SharedBullConfig {
  connection?: NotifyRedisConnection;
}

/**
 * With `queue.bullModule`, the connection of the app's `BullModule.forRoot()`: one place for the
 * Redis settings. The key prefix stays `queue.prefix` (default `wxnotify`), so producers and
 * workers agree whatever BullModule's prefix is. Loads @nestjs/bullmq only then.
 */
export async function withBullModuleConnection(queue: NotifyQueueOptions, moduleRef: ModuleRef): Promise<NotifyQueueOptions> {
  const configKey = bullConfigKey(queue);
  if (configKey === null) return queue;
  let getSharedConfigToken: (configKey?: string) => string;
  try {
    ({ getSharedConfigToken } = await import('@nestjs/bullmq'));
  } catch {
    throw new NotifyConfigError(['queue.bullModule needs @nestjs/bullmq: npm i @nestjs/bullmq']);
  }
  const call = configKey === undefined ? 'BullModule.forRoot({ connection })' : `BullModule.forRoot('${configKey}', { connection })`;
  let shared: SharedBullConfig;
  try {
    shared = moduleRef.get<SharedBullConfig>(getSharedConfigToken(configKey), { strict: false });
  } catch {
    throw new NotifyConfigError([`queue.bullModule is set but no ${call} was found: import it in the application module`]);
  }
  if (!shared?.connection) throw new NotifyConfigError([`queue.bullModule: ${call} has no connection`]);
  return { ...queue, connection: shared.connection };
}
