import { MemoryRateLimiter, systemClock, type ChannelConfig } from '@wxnotify/core';
import type { NotifyModuleOptions } from '@wxnotify/nestjs';
import { Queue } from 'bullmq';
// Loaded up front: the module's lazy import of the queue code links ioredis, which jest's ESM runner must have seen.
import 'ioredis';
import { startFakeWeCom, type FakeWeCom } from '../fakes/wecom';
import { postJson, startFixtureApp, type RunningApp } from './fixtures/add-user.app';
import { describeWithRedis, TestRedis } from './support/redis';
import { waitFor } from './support/wait';

describeWithRedis('queue worker shutdown with a hung upstream (worker inside a real Nest app)', () => {
  let redis: TestRedis;
  let wecom: FakeWeCom;
  let app: RunningApp | undefined;

  beforeAll(async () => {
    redis = await TestRedis.start();
    wecom = await startFakeWeCom();
  });

  afterAll(async () => {
    await app?.close();
    await wecom.close();
    await redis.stop();
  });

  const prefix = `wxqs${process.pid}`;
  const options = (): NotifyModuleOptions => ({
    // Without cancellation, close() waits while each hung job times out and retries (4 × 2 s).
    channels: { ops: { type: 'wecom-app', ...wecom.credentials, baseUrl: wecom.url, defaultTo: { users: ['zhangsan'] }, timeoutMs: 2000 } as ChannelConfig },
    shutdownTimeoutMs: 200,
    deps: { retry: { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 40 }, rateLimiter: new MemoryRateLimiter(systemClock) },
    queue: { connection: redis.connection, prefix, backoffMs: 50, attempts: 5, worker: true, enqueueTimeoutMs: 500 },
  });
  const start = () => startFixtureApp({ notify: options() });

  it('aborts the active jobs after the grace period, sends nothing after close(), and the jobs are retried later, not lost', async () => {
    app = await start();
    await postJson(`${app.url}/add_user`, { username: 'q0' });
    await waitFor(() => wecom.delivered.length === 1, 'the first delivery', 10_000);

    wecom.server.injectFaults({ hang: 10_000 });
    const before = wecom.server.requests.length;
    for (let i = 1; i <= 3; i++) await postJson(`${app.url}/add_user`, { username: `q${i}` });
    await waitFor(() => wecom.server.requests.length >= before + 3, 'three jobs hanging at the upstream', 10_000);

    await app.close();
    app = undefined;
    const atClose = wecom.server.requests.length;
    // One request per job: aborted after the 200 ms grace, not timed out and retried in this worker.
    expect(atClose - before).toBe(3);
    await new Promise((r) => setTimeout(r, 500));
    expect(wecom.server.requests.length - atClose).toBe(0);

    // The aborted jobs failed as retryable: waiting for another attempt, none failed for good.
    const queue = new Queue('wxnotify', { connection: redis.connection, prefix });
    try {
      const counts = await queue.getJobCounts('failed', 'delayed', 'wait', 'active', 'completed');
      expect(counts.failed).toBe(0);
      expect(counts.delayed + counts.wait).toBe(3);
    } finally {
      await queue.close();
    }

    // A worker that starts once the upstream answers again delivers them.
    wecom.server.injectFaults({});
    app = await start();
    await waitFor(() => wecom.delivered.length === 4, 'the retried jobs', 15_000);
    expect(wecom.delivered.map((d) => String(d.payload.content).match(/：(\S+?)（/)?.[1]).sort()).toEqual(['q0', 'q1', 'q2', 'q3']);
  });
});
