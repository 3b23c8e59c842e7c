export { startNotifyWorker, type NotifyWorkerHandle, type NotifyJobResult } from './notify-worker.js';
export { BullMqDispatcher } from './bullmq.dispatcher.js';
export { RedisTokenStore, type RedisTokenStoreOptions } from './redis-token-store.js';
export { RedisRateLimiter, type RedisRateLimiterOptions } from './redis-rate-limiter.js';
export { QUEUE_DEFAULTS, type NotifyQueueOptions, type NotifyRedisConnection, type NotifyJobData } from './queue.options.js';
export { RedisAskStore, type RedisAskStoreOptions } from '../ask/redis-ask-store.js';
