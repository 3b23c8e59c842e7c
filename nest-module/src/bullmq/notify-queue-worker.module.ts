import { Logger, Module, type BeforeApplicationShutdown, type DynamicModule, type ModuleMetadata, type OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { BullModule, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import type { Job } from 'bullmq';
import type { NotifyModuleOptions } from '../notify.options.js';
import { withBullModuleConnection } from '../queue/bull-shared-config.js';
import { abortAfterGrace, createWorkerRuntime, processJob, workerOptions, type NotifyJobResult } from '../queue/notify-worker.js';
import { QUEUE_DEFAULTS, type NotifyJobData } from '../queue/queue.options.js';

const WORKER_OPTIONS = Symbol('wxnotify:queue-worker-options');
/** Injection token of the processor (a `WorkerHost`: `.worker` is the BullMQ Worker). */
export const NOTIFY_PROCESSOR = Symbol('wxnotify:processor');

export interface NotifyQueueWorkerAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  /** Queue name; must match `queue.name` of the options. Default `wxnotify`. */
  name?: string;
  /** `configKey` of `BullModule.forRoot(configKey, ...)`; default the unnamed one. */
  configKey?: string;
  /** Redis key prefix; must match `queue.prefix` of the options. Default `wxnotify`. */
  prefix?: string;
  inject?: any[];
  useFactory: (...args: any[]) => NotifyModuleOptions | Promise<NotifyModuleOptions>;
}

/**
 * The queue worker as a Nest provider, run by @nestjs/bullmq: a `@Processor` on the notify
 * queue, over the connection of the app's `BullModule.forRoot()`. It sends like the standalone
 * `startNotifyWorker` (Redis token store and rate limiter shared by every worker, a delivery
 * mark per job); @nestjs/bullmq starts it at init and closes it on shutdown.
 *
 *   imports: [BullModule.forRoot({ connection }), NotifyQueueWorkerModule.forRoot({ channels, queue: { concurrency: 4 } })]
 */
@Module({})
export class NotifyQueueWorkerModule {
  static forRoot(options: NotifyModuleOptions): DynamicModule {
    return NotifyQueueWorkerModule.forRootAsync({ name: options.queue?.name, configKey: configKeyOf(options), prefix: options.queue?.prefix, useFactory: () => options });
  }

  static forRootAsync(async: NotifyQueueWorkerAsyncOptions): DynamicModule {
    const name = async.name ?? QUEUE_DEFAULTS.name;
    const prefix = async.prefix ?? QUEUE_DEFAULTS.prefix;
    return {
      module: NotifyQueueWorkerModule,
      // Also makes the queue injectable: @InjectQueue('wxnotify') for dashboards and counts.
      imports: [...(async.imports ?? []), BullModule.registerQueue({ name, configKey: async.configKey, prefix })],
      providers: [
        { provide: WORKER_OPTIONS, inject: async.inject ?? [], useFactory: async.useFactory },
        {
          provide: NOTIFY_PROCESSOR,
          inject: [WORKER_OPTIONS, ModuleRef],
          useFactory: async (options: NotifyModuleOptions, moduleRef: ModuleRef) => createProcessor({ name, prefix, configKey: async.configKey }, options, moduleRef),
        },
      ],
      exports: [NOTIFY_PROCESSOR],
    };
  }
}

function configKeyOf(options: NotifyModuleOptions): string | undefined {
  const bull = options.queue?.bullModule;
  return typeof bull === 'object' ? bull.configKey : undefined;
}

interface QueueIdentity {
  name: string;
  prefix: string;
  configKey?: string;
}

async function createProcessor({ name, prefix, configKey }: QueueIdentity, options: NotifyModuleOptions, moduleRef: ModuleRef): Promise<WorkerHost> {
  if ((options.queue?.name ?? QUEUE_DEFAULTS.name) !== name) throw new Error(`NotifyQueueWorkerModule: queue.name "${options.queue?.name}" differs from the module's name "${name}" (pass name to forRootAsync)`);
  if ((options.queue?.prefix ?? QUEUE_DEFAULTS.prefix) !== prefix) throw new Error(`NotifyQueueWorkerModule: queue.prefix "${options.queue?.prefix}" differs from the module's prefix "${prefix}" (pass prefix to forRootAsync)`);
  const queueOptions = await withBullModuleConnection({ ...options.queue, bullModule: options.queue?.bullModule ?? (configKey === undefined ? true : { configKey }) }, moduleRef);
  const logger = new Logger('NotifyWorker');
  const { queue, redis, runtime } = createWorkerRuntime({ ...options, queue: queueOptions }, logger);

  let stopped: (() => void) | undefined;
  class NotifyProcessor extends WorkerHost implements BeforeApplicationShutdown, OnApplicationShutdown {
    process(job: Job<NotifyJobData>): Promise<NotifyJobResult> {
      return processJob(job, runtime, redis, queue);
    }

    onFailed(job: Job | undefined, error: Error): void {
      logger.warn(`job ${job?.id ?? '?'} failed (attempt ${job?.attemptsMade ?? '?'}): ${error.message}`);
    }

    /** Running jobs get the shutdown grace period, then their sends are aborted (retried later, never sent after close). */
    beforeApplicationShutdown(): void {
      stopped ??= abortAfterGrace(runtime, options);
    }

    /** After @nestjs/bullmq closed the worker (close() is idempotent: this waits for running jobs). */
    async onApplicationShutdown(): Promise<void> {
      stopped ??= abortAfterGrace(runtime, options);
      await (this as unknown as { _worker?: { close(): Promise<void> } })._worker?.close().catch(() => undefined);
      stopped();
      await redis.quit().catch(() => redis.disconnect());
    }
  }
  // Decorated here: the worker settings come from the (possibly async) options.
  OnWorkerEvent('failed')(NotifyProcessor.prototype, 'onFailed', Object.getOwnPropertyDescriptor(NotifyProcessor.prototype, 'onFailed')!);
  Processor({ name, configKey }, { ...workerOptions(queue), prefix: queue.prefix })(NotifyProcessor);
  return new NotifyProcessor();
}
