export { NotifyQueueWorkerModule, NOTIFY_PROCESSOR, type NotifyQueueWorkerAsyncOptions } from './notify-queue-worker.module.js';
