import { Redis } from 'ioredis';
import { MemoryAskStore, type AskOutcome, type AskStore, type PendingQuestion } from '@wxnotify/nestjs';
import { RedisAskStore } from '@wxnotify/nestjs/queue';
import { ManualClock } from '../support/manual-clock';
import { describeWithRedis, TestRedis } from './support/redis';
import { waitFor } from './support/wait';

const question = (taskId: string, deadline: number): PendingQuestion => ({
  taskId,
  channel: 'app',
  labels: { approve: '批准' },
  deadline,
  name: 'release',
  context: { version: 'v1' },
});

/** The AskStore contract: `take` / `takeDue` hand a question to exactly one caller; ended questions are remembered. */
function contract(open: () => Promise<{ stores: [AskStore, AskStore]; clock: ManualClock }>): void {
  let stores: [AskStore, AskStore];
  let clock: ManualClock;
  beforeEach(async () => {
    ({ stores, clock } = await open());
  });
  afterEach(async () => {
    await Promise.all(stores.map((s) => s.close()));
  });

  it('hands an open question to one of many concurrent takers, once', async () => {
    const [a, b] = stores;
    await a.save(question('t1', clock.now() + 1000));
    const taken = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).take('t1')));
    expect(taken.filter(Boolean)).toEqual([question('t1', clock.now() + 1000)]);
    expect(await a.takeDue(clock.now() + 5000, 10)).toEqual([]);
  });

  it('takeDue returns only the questions whose deadline passed, each to one caller', async () => {
    const [a, b] = stores;
    const now = clock.now();
    for (let i = 0; i < 5; i++) await a.save(question(`due${i}`, now + i * 100));
    await a.save(question('later', now + 10_000));
    const [x, y] = await Promise.all([a.takeDue(now + 400, 100), b.takeDue(now + 400, 100)]);
    expect([...x, ...y].map((q) => q.taskId).sort()).toEqual(['due0', 'due1', 'due2', 'due3', 'due4']);
    expect((await b.take('later'))?.taskId).toBe('later');
  });

  it('refresh changes only an open question', async () => {
    const [a, b] = stores;
    await a.save(question('r1', clock.now() + 1000));
    await b.refresh({ ...question('r1', clock.now() + 1000), sendCode: { code: 'rc', issuedAt: 1 } });
    expect((await a.take('r1'))?.sendCode).toEqual({ code: 'rc', issuedAt: 1 });
    await b.refresh(question('r1', clock.now() + 1000));
    expect(await a.take('r1')).toBeUndefined();
  });

  it('an ended question: its outcome is told to every store and remembered for the TTL; a late update is taken once', async () => {
    const [a, b] = stores;
    const heard: AskOutcome[] = [];
    b.onFinished((o) => heard.push(o));
    const outcome: AskOutcome = { answered: false, timedOut: true, taskId: 'e1' };
    await a.finish(outcome, 60_000);
    await waitFor(() => heard.length === 1, 'the outcome in the other store');
    expect(heard).toEqual([outcome]);
    expect(await b.outcome('e1')).toEqual(outcome);
    await a.setLateUpdate('e1', { channel: 'app', text: '已超时' }, 60_000);
    const late = await Promise.all([a.takeLateUpdate('e1'), b.takeLateUpdate('e1')]);
    expect(late.filter(Boolean)).toEqual([{ channel: 'app', text: '已超时' }]);
  });
}

describe('MemoryAskStore (one process: both handles are the same store)', () => {
  contract(async () => {
    const clock = new ManualClock();
    const store = new MemoryAskStore(clock);
    return { stores: [store, store], clock };
  });

  it('forgets an ended question after its TTL', async () => {
    const clock = new ManualClock();
    const store = new MemoryAskStore(clock);
    await store.finish({ answered: false, timedOut: true, taskId: 'x' }, 1000);
    await clock.advance(1000);
    expect(await store.outcome('x')).toBeUndefined();
  });
});

describeWithRedis('RedisAskStore (two stores on one Redis, as two processes)', () => {
  let redis: TestRedis;
  let run = 0;
  beforeAll(async () => {
    redis = await TestRedis.start();
  });
  afterAll(async () => {
    await redis.stop();
  });

  contract(async () => {
    const prefix = `askstore${process.pid}r${++run}`;
    const store = () => new RedisAskStore(new Redis(redis.connection), new Redis(redis.connection), { prefix });
    const stores: [RedisAskStore, RedisAskStore] = [store(), store()];
    await Promise.all(stores.map((s) => s.ready()));
    return { stores, clock: new ManualClock() };
  });
});
