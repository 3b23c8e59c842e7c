import type { ConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { NotifyRedisConnection } from './queue.options.js';

/** An ioredis client passed as the connection (e.g. by `BullModule.forRoot({ connection: redis })`). */
function isClient(connection: unknown): connection is Redis {
  return typeof (connection as { duplicate?: unknown })?.duplicate === 'function';
}

/**
 * A new client for `connection` with `overrides` (fail-fast for producers, blocking-safe for
 * workers). A client instance is duplicated, so its own settings and lifecycle stay the owner's.
 */
export function openRedis(connection: NotifyRedisConnection, overrides: RedisOptions): Redis {
  return isClient(connection) ? connection.duplicate(overrides) : new Redis({ ...(connection as RedisOptions), ...overrides });
}

/**
 * The `connection` to give BullMQ: options with `overrides` (BullMQ owns and closes that client),
 * or the caller's client as it is (BullMQ duplicates it for blocking calls; the owner closes it).
 */
export function bullConnection(connection: NotifyRedisConnection, overrides: RedisOptions): ConnectionOptions {
  return (isClient(connection) ? connection : { ...(connection as RedisOptions), ...overrides }) as ConnectionOptions;
}
