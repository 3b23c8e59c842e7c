import { SharedRequestLimits, type RequestLimits } from '../http/request-limits.js';
import type { GatewayLogger } from '../observability/logger.js';

/**
 * Request limits counted in Redis (WXNOTIFY_REDIS_URL) with @wxnotify/nestjs's RedisRateLimiter
 * (Redis's clock; takes grouped by SharedRequestLimits as on Postgres: one Lua step per round
 * trip), for deployments that already run Redis. Loaded only when configured; `ioredis` must be
 * installed next to the gateway.
 */
export async function connectRedisLimits(url: string, logger: GatewayLogger): Promise<{ limits: RequestLimits; close(): Promise<void> }> {
  const { Redis } = await import('ioredis');
  const { RedisRateLimiter } = await import('@wxnotify/nestjs/queue');
  // No offline queue: a request limit that cannot be counted fails at once (503), it does not wait.
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
  let last = 0;
  redis.on('error', (error: Error) => {
    if (Date.now() - last < 10_000) return;
    last = Date.now();
    logger.warn('Redis (request limits) is unreachable; reconnecting', { error: error.message });
  });
  await redis.connect();
  return { limits: new SharedRequestLimits(new RedisRateLimiter(redis, { prefix: 'wxnotify-gateway' }), 'limits', 'Redis'), close: async () => void (await redis.quit().catch(() => undefined)) };
}
