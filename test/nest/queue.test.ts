import { MemoryRateLimiter, systemClock, type ChannelConfig } from '@wxnotify/core';
import { NotifyService, type NotifyModuleOptions } from '@wxnotify/nestjs';
import { postJson, startFixtureApp, type RunningApp } from './fixtures/add-user.app';
import { describeWithRedis } from './support/redis';
import { queueSuite } from './support/queue-suite';
import { waitFor } from './support/wait';
import { WorkerProcess } from './support/workers';

const FAST_RETRY = { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 };

describeWithRedis('queue mode (BullMQ + Redis, worker processes)', () => {
  const suite = queueSuite();
  let workers: WorkerProcess[] = [];
  let app: RunningApp | undefined;

  afterEach(async () => {
    try {
      await app?.close();
    } finally {
      app = undefined;
      await Promise.all(workers.map((w) => w.stop()));
      workers = [];
      await suite.wecom.close();
    }
  });

  const options = (over: Partial<NonNullable<NotifyModuleOptions['queue']>> = {}): NotifyModuleOptions => ({
    channels: { ops: { type: 'wecom-app', ...suite.wecom.credentials, baseUrl: suite.wecom.url, defaultTo: { users: ['zhangsan'] }, timeoutMs: 60_000 } as ChannelConfig },
    shutdownTimeoutMs: 2000,
    deps: { retry: FAST_RETRY },
    queue: {
      connection: suite.redis.connection,
      prefix: `wxq${process.pid}r${suite.run}`,
      backoffMs: 50,
      attempts: 5,
      // A killed worker's job is picked up again after ~1 s instead of 30 s.
      lockDurationMs: 1000,
      stalledIntervalMs: 300,
      enqueueTimeoutMs: 500,
      ...over,
    },
  });

  const producer = async (): Promise<RunningApp> => {
    const opts = options({ worker: false });
    return startFixtureApp({ notify: { ...opts, deps: { ...opts.deps, rateLimiter: new MemoryRateLimiter(systemClock) } } });
  };

  const deliveredNames = (): string[] => suite.wecom.delivered.map((d) => String(d.payload.content).match(/：(\S+?)（/)?.[1] ?? '?');

  it('delivers every notification exactly once through two workers, one killed mid-job, with one token fetch', async () => {
    workers = await Promise.all([WorkerProcess.start(options()), WorkerProcess.start(options())]);
    app = await producer();
    const service = app.app.get(NotifyService);

    await postJson(`${app.url}/add_user`, { username: 'u0' });
    await waitFor(() => suite.wecom.delivered.length === 1, 'the first delivery', 10_000);

    // The next upstream request never gets an answer: the worker that runs it is killed mid-job.
    suite.wecom.server.injectFaults({ hang: 1 });
    const requestsBefore = suite.wecom.server.requests.length;
    await postJson(`${app.url}/add_user`, { username: 'u1' });
    await waitFor(() => suite.wecom.server.requests.length > requestsBefore, 'the hanging send', 10_000);
    await waitFor(() => workers.some((w) => w.activeJobs().includes('2')), 'a worker to report job 2 active');
    const victim = workers.find((w) => w.activeJobs().includes('2'));
    await victim!.kill();

    for (let i = 2; i < 12; i++) await postJson(`${app.url}/add_user`, { username: `u${i}` });
    await waitFor(() => suite.wecom.delivered.length >= 12, 'twelve deliveries', 20_000);
    // Stay a little longer to see any late duplicate.
    await new Promise((r) => setTimeout(r, 500));

    expect(deliveredNames().sort()).toEqual(Array.from({ length: 12 }, (_, i) => `u${i}`).sort());
    expect(suite.wecom.gettokenCalls).toBe(1);
    expect(service.stats()).toMatchObject({ queued: 12, fallbacks: 0, dropped: 0 });
    const survivor = workers.find((w) => w !== victim)!;
    expect(survivor.completedJobs()).toContain('2');
  });

  it('does not deliver twice when a worker dies after WeCom accepted the message (duplicate check covers the residual window)', async () => {
    workers = await Promise.all([WorkerProcess.start(options()), WorkerProcess.start(options())]);
    app = await producer();
    await postJson(`${app.url}/add_user`, { username: 'd0' });
    await waitFor(() => suite.wecom.delivered.length === 1, 'the first delivery', 10_000);

    // Delivered upstream, but the answer never comes back: the worker is killed before it can mark or ack the job.
    suite.wecom.hangAfterDelivery(1);
    await postJson(`${app.url}/add_user`, { username: 'd1' });
    await waitFor(() => suite.wecom.delivered.length === 2, 'the accepted-but-unanswered delivery', 10_000);
    await waitFor(() => workers.some((w) => w.activeJobs().includes('2')), 'a worker to report job 2 active');
    const victim = workers.find((w) => w.activeJobs().includes('2'))!;
    await victim.kill();

    const survivor = workers.find((w) => w !== victim)!;
    await waitFor(() => survivor.completedJobs().includes('2'), 'the retried job', 15_000);
    expect(deliveredNames()).toEqual(['d0', 'd1']);
    expect(suite.wecom.duplicatesSuppressed).toBe(1);
  });

  it('runs a worker inside the Nest app with queue.worker: true', async () => {
    const opts = options({ worker: true });
    app = await startFixtureApp({ notify: { ...opts, deps: { ...opts.deps, rateLimiter: new MemoryRateLimiter(systemClock) } } });
    const service = app.app.get(NotifyService);
    await postJson(`${app.url}/add_user`, { username: 'w0' });
    await postJson(`${app.url}/add_user`, { username: 'w1' });
    await waitFor(() => suite.wecom.delivered.length === 2, 'two deliveries by the in-app worker', 10_000);
    expect(deliveredNames().sort()).toEqual(['w0', 'w1']);
    expect(service.stats()).toMatchObject({ queued: 2, fallbacks: 0, sent: 0 });
  });

  it('falls back to in-process sends while Redis is down and delivers everything once after a restart', async () => {
    workers = [await WorkerProcess.start(options())];
    app = await producer();
    const service = app.app.get(NotifyService);

    await postJson(`${app.url}/add_user`, { username: 'r0' });
    await waitFor(() => suite.wecom.delivered.length === 1, 'the first queued delivery', 10_000);

    await suite.redis.down();
    for (let i = 1; i <= 3; i++) {
      const res = await postJson(`${app.url}/add_user`, { username: `r${i}` });
      expect(res.status).toBe(200);
    }
    await waitFor(() => service.stats().fallbacks === 3, `three fallbacks (${JSON.stringify(service.stats())})`, 10_000);
    await waitFor(() => suite.wecom.delivered.length === 4, 'the fallback deliveries', 10_000);

    await suite.redis.up();
    // Requests after the restart are queued again once the producer has reconnected.
    // Under a loaded CI box the reconnect can take several seconds, and a request sent while the
    // producer is reconnecting may stay pending a while: post again each second until one is queued.
    let i = 4;
    let lastPost = 0;
    const queuedBefore = service.stats().queued;
    await waitFor(
      () => {
        if (service.stats().pending === 0 || Date.now() - lastPost > 1000) {
          lastPost = Date.now();
          void postJson(`${app!.url}/add_user`, { username: `r${i++}` });
        }
        return service.stats().queued > queuedBefore;
      },
      `an enqueue after the restart (${JSON.stringify(service.stats())})`,
      30_000,
    );
    await waitFor(() => suite.wecom.delivered.length >= i, `${i} deliveries`, 20_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(deliveredNames().sort()).toEqual(Array.from({ length: i }, (_, n) => `r${n}`).sort());
  }, 90_000);
});
