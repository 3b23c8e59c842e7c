import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeRobot, startFakeWeCom, type FakeRobot, type FakeWeCom } from '../fakes/wecom';
import { describeWithRedis, TestRedis } from './support/redis';

const here = path.dirname(fileURLToPath(import.meta.url));

interface Outcome {
  ok: boolean;
  code?: string | number;
  retryAfterMs?: number;
}

/** Starts one sender process per job, lets them all go at once, and collects every outcome. */
async function sendFromProcesses(jobs: Array<Record<string, unknown>>): Promise<Outcome[]> {
  const children: ChildProcess[] = jobs.map((job) =>
    fork(path.join(here, 'fixtures', 'quota-sender.mts'), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, NODE_OPTIONS: '', TSX_TSCONFIG_PATH: path.join(here, 'fixtures', 'tsconfig.tsx.json'), WXNOTIFY_QUOTA_JOB: JSON.stringify(job) },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    }),
  );
  const message = (child: ChildProcess, event: string): Promise<{ outcomes?: Outcome[] }> =>
    new Promise((resolve, reject) => {
      child.on('message', (m: { event: string; outcomes?: Outcome[] }) => m.event === event && resolve(m));
      child.once('exit', (code) => reject(new Error(`sender exited with ${code} before "${event}"`)));
    });
  await Promise.all(children.map((child) => message(child, 'ready')));
  const done = children.map((child) => message(child, 'done'));
  for (const child of children) child.send('go');
  return (await Promise.all(done)).flatMap((m) => m.outcomes ?? []);
}

describeWithRedis('quota budgets shared across processes (RedisRateLimiter.reserve)', () => {
  let redis: TestRedis;
  let wecom: FakeWeCom;
  let robot: FakeRobot;

  beforeAll(async () => {
    redis = await TestRedis.start();
    wecom = await startFakeWeCom();
    robot = await startFakeRobot();
  });

  afterAll(async () => {
    await Promise.all([wecom.close(), robot.close(), redis.stop()]);
  });

  it('4 workers in 2 processes sending 80 alerts to one member: exactly 30 go out this minute, the rest fail with retryAfterMs, none is dropped', async () => {
    const config = { type: 'wecom-app', ...wecom.credentials, baseUrl: wecom.url, onQuota: 'fail' };
    const job = { redis: redis.connection, prefix: `q${process.pid}a`, config, to: { users: ['zhangsan'] }, workers: 2, count: 20 };
    const outcomes = await sendFromProcesses([
      { ...job, tag: 'p1' },
      { ...job, tag: 'p2' },
    ]);
    expect(outcomes).toHaveLength(80);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(30);
    const refused = outcomes.filter((o) => !o.ok);
    expect(refused.every((o) => o.code === 'QUOTA_EXCEEDED' && o.retryAfterMs! > 0 && o.retryAfterMs! <= 61_000)).toBe(true);
    expect(wecom.receivedBy('zhangsan')).toHaveLength(30);
    expect(wecom.quotaDrops).toBe(0);
    // Another member's budget is untouched by zhangsan's.
    const other = await sendFromProcesses([{ ...job, to: { users: ['lisi'] }, workers: 1, count: 3, tag: 'p3' }]);
    expect(other.every((o) => o.ok)).toBe(true);
  });

  it('one robot shared by 2 processes takes 20 messages a minute in total, never a 45009', async () => {
    const config = { type: 'wecom-bot', key: robot.key, baseUrl: robot.url, onQuota: 'fail' };
    const job = { redis: redis.connection, prefix: `q${process.pid}b`, config, workers: 1, count: 15 };
    const outcomes = await sendFromProcesses([
      { ...job, tag: 'r1' },
      { ...job, tag: 'r2' },
    ]);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(20);
    expect(outcomes.filter((o) => o.code === 'QUOTA_EXCEEDED')).toHaveLength(10);
    expect(robot.delivered).toHaveLength(20);
    expect(robot.rateLimited).toBe(0);
  });
});
