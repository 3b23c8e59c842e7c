import { ConsoleLogger, Injectable, type INestApplication } from '@nestjs/common';
import { EventEmitterModule, OnEvent } from '@nestjs/event-emitter';
import type { TemplateCardEvent } from '@wxnotify/core';
import { ASK_EVENTS, NotifyService, OnCardAction, type AskAnsweredEvent, type AskResult, type AskTimeoutEvent } from '@wxnotify/nestjs';
import { startFakeWeCom, type FakeCallbackTarget, type FakeWeCom } from '../fakes/wecom';
import { ManualClock } from '../support/manual-clock';
import { rejection } from '../support/notify-errors';
import { describeWithRedis, redisCli, TestRedis } from './support/redis';
import { APPROVAL_CARD, sentTask as sentCard, startAskApp } from './support/ask-app';
import { waitFor } from './support/wait';

const question = APPROVAL_CARD;

/** One instance of the application: a real Nest app over HTTP, in queue mode on the shared Redis. */
interface Instance {
  app: INestApplication;
  notify: NotifyService;
  target: FakeCallbackTarget;
  answers: AskAnsweredEvent[];
  timeouts: AskTimeoutEvent[];
  actions: TemplateCardEvent[];
  close(): Promise<void>;
}

describeWithRedis('NotifyService.ask in queue mode: open questions on Redis survive a restart and are shared by instances', () => {
  let redis: TestRedis;
  let wecom: FakeWeCom;
  let prefix = '';
  let run = 0;
  const clock = new ManualClock();
  const running: Instance[] = [];

  beforeAll(async () => {
    redis = await TestRedis.start();
    wecom = await startFakeWeCom();
  });

  afterAll(async () => {
    await redis?.stop();
    await wecom?.close();
  });

  beforeEach(() => {
    prefix = `ask${process.pid}r${++run}`;
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((instance) => instance.close()));
  });

  async function start(): Promise<Instance> {
    const answers: AskAnsweredEvent[] = [];
    const timeouts: AskTimeoutEvent[] = [];
    const actions: TemplateCardEvent[] = [];
    @Injectable()
    class Handlers {
      @OnEvent(ASK_EVENTS.answered)
      onAnswer(event: AskAnsweredEvent): void {
        answers.push(event);
      }

      @OnEvent(ASK_EVENTS.timeout)
      onTimeout(event: AskTimeoutEvent): void {
        timeouts.push(event);
      }

      @OnCardAction('approve')
      onApprove(event: TemplateCardEvent): void {
        actions.push(event);
      }
    }
    const ask = await startAskApp(wecom, {
      clock,
      imports: [EventEmitterModule.forRoot()],
      providers: [Handlers],
      queue: { connection: redis.connection, prefix },
      logger: process.env.ASK_DEBUG ? new ConsoleLogger() : false,
    });
    const instance: Instance = { ...ask, answers, timeouts, actions };
    running.push(instance);
    return instance;
  }

  const sentTask = (before: number) => sentCard(wecom, before);

  /** The send's answer reached the app (its response code is stored): closing now cuts no request short. */
  const sendStored = (taskId: string) => waitFor(() => redisCli(redis, 'GET', `${prefix}:ask:q:${taskId}`).includes('sendCode'), 'the stored send result');
  const updatesOf = (taskId: string) => wecom.cards.updates.filter((u) => u.taskId === taskId);
  const settle = () => new Promise((r) => setTimeout(r, 100));

  it('answers a question asked before a restart: the restarted app takes the click once, emits the answer with its context, updates the card', async () => {
    const first = await start();
    const before = wecom.cards.tasks.size;
    const asked = first.notify.ask({
      card: question,
      to: { users: ['zhangsan', 'lisi'] },
      timeoutMs: 3_600_000,
      name: 'release',
      context: { version: 'v1.4.2', requestedBy: 'wangwu' },
      answeredText: '{user} 已{text}',
    });
    const taskId = await sentTask(before);
    await sendStored(taskId);
    await first.close();
    await expect(asked).resolves.toEqual({ answered: false, timedOut: false, stillOpen: true, taskId });
    expect(redisCli(redis, 'ZSCORE', `${prefix}:ask:due`, taskId)).not.toBe('');

    const second = await start();
    const click = await wecom.cards.click({ userId: 'lisi', taskId, eventKey: 'approve' }, second.target);
    expect(click.status).toBe(200);
    await waitFor(() => second.answers.length === 1, 'the answer event after the restart');
    expect(second.answers[0]).toEqual({ taskId, name: 'release', key: 'approve', text: '批准', user: 'lisi', at: click.createTime * 1000, context: { version: 'v1.4.2', requestedBy: 'wangwu' } });
    await waitFor(() => updatesOf(taskId).length === 1, 'the card update');
    expect(updatesOf(taskId)[0]).toMatchObject({ atall: true, replaceName: 'lisi 已批准', responseCode: click.responseCode });
    await waitFor(() => second.actions.length === 1, 'the @OnCardAction handler');
    expect(second.actions.map((a) => a.userId)).toEqual(['lisi']);

    // A second member's click on the ended question: no answer, no update, no @OnCardAction.
    await wecom.cards.click({ userId: 'zhangsan', taskId, eventKey: 'approve' }, second.target);
    await settle();
    expect(second.answers).toHaveLength(1);
    expect(second.actions).toHaveLength(1);
    expect(updatesOf(taskId)).toHaveLength(1);
    expect(redisCli(redis, 'EXISTS', `${prefix}:ask:q:${taskId}`)).toBe('0');
  });

  it('resolves the asking instance when the click lands on another instance', async () => {
    const [asker, other] = [await start(), await start()];
    const before = wecom.cards.tasks.size;
    const asked = asker.notify.ask({ card: question, to: { users: ['zhangsan'] }, timeoutMs: 3_600_000, name: 'release' });
    const taskId = await sentTask(before);
    const click = await wecom.cards.click({ userId: 'zhangsan', taskId, eventKey: 'reject' }, other.target);
    await expect(asked).resolves.toMatchObject({ answered: true, key: 'reject', user: 'zhangsan', taskId, at: click.createTime * 1000 });
    await waitFor(() => updatesOf(taskId).length === 1, 'the card update');
    expect(updatesOf(taskId)[0].replaceName).toBe('已由 zhangsan 选择 拒绝');
    await waitFor(() => other.answers.length === 1, 'the answer event on the instance that took the click');
    await settle();
    expect(other.answers.map((a) => a.user)).toEqual(['zhangsan']);
    expect(asker.answers).toEqual([]);
  });

  it('double click across two instances: one answer, one card update, the asker resolves with the winner', async () => {
    const [asker, other] = [await start(), await start()];
    const before = wecom.cards.tasks.size;
    const asked = asker.notify.ask({ card: question, to: { users: ['zhangsan', 'lisi'] }, timeoutMs: 3_600_000 });
    const taskId = await sentTask(before);
    await Promise.all([
      wecom.cards.click({ userId: 'zhangsan', taskId, eventKey: 'approve' }, asker.target),
      wecom.cards.click({ userId: 'lisi', taskId, eventKey: 'reject' }, other.target),
    ]);
    const result = (await asked) as Extract<AskResult, { answered: true }>;
    await waitFor(() => updatesOf(taskId).length >= 1 && asker.answers.length + other.answers.length >= 1, 'the card update and the answer event');
    await settle();
    const answers = [...asker.answers, ...other.answers];
    expect(answers).toHaveLength(1);
    expect(result).toMatchObject({ answered: true, user: answers[0].user, key: answers[0].key });
    expect(updatesOf(taskId)).toHaveLength(1);
    expect(updatesOf(taskId)[0].replaceName).toBe(`已由 ${answers[0].user} 选择 ${answers[0].text}`);
    // @OnCardAction('approve') ran only if the approving click won.
    expect([...asker.actions, ...other.actions].map((a) => a.userId)).toEqual(answers[0].key === 'approve' ? ['zhangsan'] : []);
  });

  it('a deadline that passed while no instance ran fires the timeout once on start (two instances starting), and the card shows the timeout line', async () => {
    const first = await start();
    const before = wecom.cards.tasks.size;
    void first.notify.ask({ card: question, to: { users: ['zhangsan'] }, timeoutMs: 60_000, name: 'release', context: { version: 'v1.4.3' }, timeoutText: '已超时，未审批' });
    const taskId = await sentTask(before);
    const deadline = clock.now() + 60_000;
    await sendStored(taskId);
    await first.close();
    await clock.advance(120_000);

    const [a, b] = await Promise.all([start(), start()]);
    await waitFor(() => a.timeouts.length + b.timeouts.length === 1, 'the timeout event on start');
    await waitFor(() => updatesOf(taskId).length === 1, 'the timeout card update');
    await settle();
    expect([...a.timeouts, ...b.timeouts]).toEqual([{ taskId, name: 'release', at: deadline, context: { version: 'v1.4.3' } }]);
    // Without a click: the update spends the response code of the send.
    expect(updatesOf(taskId)[0]).toMatchObject({ atall: true, replaceName: '已超时，未审批' });
    expect(wecom.cards.replacedFor(taskId, 'zhangsan')).toBe('已超时，未审批');

    // A late click answers nothing and changes nothing.
    await wecom.cards.click({ userId: 'zhangsan', taskId, eventKey: 'approve' }, a.target);
    await settle();
    expect([...a.answers, ...b.answers, ...a.actions, ...b.actions]).toEqual([]);
    expect(updatesOf(taskId)).toHaveLength(1);
  });

  it('times out on the asker\u2019s own clock while it runs, once, though another instance sweeps too', async () => {
    const [asker, other] = [await start(), await start()];
    const before = wecom.cards.tasks.size;
    let result: AskResult | undefined;
    const asked = asker.notify.ask({ card: question, to: { users: ['zhangsan'] }, timeoutMs: 45_000 }).then((r) => (result = r));
    const taskId = await sentTask(before);
    await clock.advance(44_000);
    await settle();
    expect(result).toBeUndefined();
    await clock.advance(31_000);
    await asked;
    expect(result).toEqual({ answered: false, timedOut: true, taskId });
    await waitFor(() => updatesOf(taskId).length === 1, 'the timeout card update');
    await settle();
    expect(asker.timeouts.length + other.timeouts.length).toBe(1);
    expect(updatesOf(taskId)).toHaveLength(1);
  });

  it('Redis down: ask() rejects with a retryable ASK_STORE_UNAVAILABLE and sends no card', async () => {
    const instance = await start();
    const before = wecom.cards.tasks.size;
    await redis.down();
    try {
      const error = await rejection(instance.notify.ask({ card: question, to: { users: ['zhangsan'] }, timeoutMs: 60_000 }));
      expect(error).toMatchObject({ code: 'ASK_STORE_UNAVAILABLE', retryable: true });
      expect(error.hint).toMatch(/Redis/);
      expect(wecom.cards.tasks.size).toBe(before);
    } finally {
      await redis.up();
    }
  });
});
