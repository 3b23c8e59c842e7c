import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { BullModule, getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { MemoryRateLimiter, systemClock, type ChannelConfig } from '@wxnotify/core';
import { NotifyConfigError, NotifyModule, NotifyService, type NotifyModuleOptions } from '@wxnotify/nestjs';
import { NOTIFY_PROCESSOR, NotifyQueueWorkerModule } from '../../nest-module/src/bullmq/index.js';
import { fixtureModule, postJson } from './fixtures/add-user.app';
import { describeWithRedis } from './support/redis';
import { queueSuite } from './support/queue-suite';
import { waitFor } from './support/wait';

describeWithRedis('@nestjs/bullmq integration: BullModule.forRoot connection, worker as a Nest provider', () => {
  const suite = queueSuite();
  const apps: INestApplication[] = [];

  afterEach(async () => {
    for (const app of apps.splice(0).reverse()) await app.close();
    await suite.wecom.close();
  });

  const notifyOptions = (queue: Partial<NonNullable<NotifyModuleOptions['queue']>>): NotifyModuleOptions => ({
    channels: { ops: { type: 'wecom-app', ...suite.wecom.credentials, baseUrl: suite.wecom.url, defaultTo: { users: ['zhangsan'] }, timeoutMs: 10_000 } as ChannelConfig },
    shutdownTimeoutMs: 2000,
    deps: { retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 } },
    queue: { bullModule: true, prefix: `wxb${process.pid}r${suite.run}`, backoffMs: 50, lockDurationMs: 2000, stalledIntervalMs: 1000, enqueueTimeoutMs: 500, ...queue },
  });

  const boot = async (module: new () => unknown): Promise<INestApplication> => {
    const app = await NestFactory.create(module, { logger: false });
    apps.push(app);
    await app.listen(0, '127.0.0.1');
    return app;
  };
  const urlOf = (app: INestApplication): string => `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;

  it('the producer enqueues over BullModule.forRoot; the NotifyQueueWorkerModule processor delivers each job once', async () => {
    const options = notifyOptions({});
    const producer = await boot(
      fixtureModule({ notify: { ...options, deps: { ...options.deps, rateLimiter: new MemoryRateLimiter(systemClock) } }, imports: [BullModule.forRoot({ connection: suite.redis.connection })] }),
    );
    @Module({ imports: [BullModule.forRoot({ connection: suite.redis.connection }), NotifyQueueWorkerModule.forRoot(options)] })
    class WorkerApp {}
    const worker = await boot(WorkerApp);

    for (const name of ['b0', 'b1', 'b2']) expect((await postJson(`${urlOf(producer)}/add_user`, { username: name })).status).toBe(200);
    await waitFor(() => suite.wecom.delivered.length === 3, 'three deliveries by the Nest processor', 10_000);
    expect(suite.wecom.delivered.map((d) => String(d.payload.content).match(/：(\S+?)（/)?.[1]).sort()).toEqual(['b0', 'b1', 'b2']);
    expect(producer.get(NotifyService).stats()).toMatchObject({ queued: 3, fallbacks: 0, sent: 0 });

    const processor = worker.get(NOTIFY_PROCESSOR) as { worker: { isRunning(): boolean; opts: { lockDuration: number; stalledInterval: number; prefix: string } } };
    expect(processor.worker.isRunning()).toBe(true);
    expect(processor.worker.opts).toMatchObject({ lockDuration: 2000, stalledInterval: 1000, prefix: options.queue!.prefix });
    const queue = worker.get<Queue>(getQueueToken('wxnotify'));
    // Acked after the upstream answered: poll until the three jobs are marked completed.
    let counts: Record<string, number> = {};
    for (let i = 0; i < 100 && counts.completed !== 3; i++) {
      counts = await queue.getJobCounts('completed', 'failed', 'waiting');
      if (counts.completed !== 3) await new Promise((r) => setTimeout(r, 20));
    }
    expect(counts).toEqual({ completed: 3, failed: 0, waiting: 0 });
  });

  it('works with a configKey, forRootAsync and an ioredis client as the BullModule connection', async () => {
    const client = new Redis({ ...suite.redis.connection, maxRetriesPerRequest: null });
    try {
      const options = notifyOptions({ bullModule: { configKey: 'notify' }, name: 'alerts' });
      @Module({
        imports: [
          BullModule.forRoot('notify', { connection: client }),
          NotifyModule.forRoot({ ...options, queue: { ...options.queue, worker: false } }),
          NotifyQueueWorkerModule.forRootAsync({ name: 'alerts', configKey: 'notify', prefix: options.queue!.prefix, useFactory: async () => options }),
        ],
      })
      class OneApp {}
      const app = await boot(OneApp);
      app.get(NotifyService).dispatch('部署完成');
      await waitFor(() => suite.wecom.delivered.length === 1, 'the delivery', 10_000);
      expect(app.get(NotifyService).stats()).toMatchObject({ queued: 1, fallbacks: 0 });
      await app.close();
      apps.length = 0;
      // The client belongs to the app: still usable after the module shut down.
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
    }
  });

  it('fails the start, naming the fix, when queue.bullModule is set without BullModule.forRoot', async () => {
    const error = await NestFactory.create(fixtureModule({ notify: notifyOptions({}) }), { logger: false, abortOnError: false }).then(
      (app) => {
        apps.push(app);
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NotifyConfigError);
    expect((error as Error).message).toContain('no BullModule.forRoot({ connection }) was found');
  });
});
