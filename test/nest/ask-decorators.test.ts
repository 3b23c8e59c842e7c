import { Injectable, type LoggerService } from '@nestjs/common';
import { OnAskAnswered, OnAskTimeout, type AskAnsweredEvent, type AskTimeoutEvent } from '@wxnotify/nestjs';
import { startFakeWeCom, type FakeWeCom } from '../fakes/wecom';
import { ManualClock } from '../support/manual-clock';
import { APPROVAL_CARD, sentTask, startAskApp, type AskApp } from './support/ask-app';
import { queueSuite } from './support/queue-suite';
import { describeWithRedis, redisCli } from './support/redis';
import { waitFor } from './support/wait';

type Refund = { orderId: string };

/** What the decorated handlers of one app saw. */
function recordingHandlers() {
  const seen = { refund: [] as AskAnsweredEvent<Refund>[], any: [] as AskAnsweredEvent[], release: [] as AskAnsweredEvent[], refundTimeouts: [] as AskTimeoutEvent<Refund>[], boom: 0 };
  @Injectable()
  class Handlers {
    @OnAskAnswered('refund')
    onRefund(answer: AskAnsweredEvent<Refund>): void {
      seen.refund.push(answer);
    }

    @OnAskAnswered()
    onAny(answer: AskAnsweredEvent): void {
      seen.any.push(answer);
    }

    @OnAskAnswered('release')
    async onRelease(answer: AskAnsweredEvent): Promise<void> {
      seen.release.push(answer);
    }

    @OnAskTimeout('refund')
    onRefundTimeout(timeout: AskTimeoutEvent<Refund>): void {
      seen.refundTimeouts.push(timeout);
    }

    @OnAskAnswered('boom')
    onBoomSync(): void {
      seen.boom++;
      throw new Error('refund API said no: https://qyapi.weixin.qq.com/cgi-bin/gettoken?corpsecret=TOPSECRETVALUE1');
    }

    @OnAskAnswered('boom')
    async onBoomAsync(): Promise<void> {
      seen.boom++;
      await Promise.resolve();
      throw new Error('async refund failed');
    }
  }
  return { seen, Handlers };
}

class CapturedLog implements LoggerService {
  readonly lines: string[] = [];
  log(): void {}
  error(message: unknown, ...rest: unknown[]): void {
    this.lines.push([message, ...rest].map(String).join(' '));
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.lines.push([message, ...rest].map(String).join(' '));
  }
}

const settle = () => new Promise((r) => setTimeout(r, 50));

describe('@OnAskAnswered / @OnAskTimeout in a real Nest app (clicks through the callback route, fake WeCom over HTTP)', () => {
  let wecom: FakeWeCom;
  let ask: AskApp;
  const clock = new ManualClock();
  const log = new CapturedLog();
  const { seen, Handlers } = recordingHandlers();

  beforeAll(async () => {
    wecom = await startFakeWeCom();
    // No EventEmitterModule: the handlers do not need it.
    ask = await startAskApp(wecom, { clock, providers: [Handlers], logger: log });
    wecom.cards.callback = ask.target;
  });

  afterAll(async () => {
    await ask.close();
    await wecom.close();
  });

  beforeEach(() => {
    seen.refund.length = seen.any.length = seen.release.length = seen.refundTimeouts.length = seen.boom = 0;
    log.lines.length = 0;
  });

  it('calls the named handler once with name, context and the member who clicked; a double click and a redelivery run it no more', async () => {
    const before = wecom.cards.tasks.size;
    const asked = ask.notify.ask({ card: APPROVAL_CARD, to: { users: ['zhangsan', 'lisi'] }, timeoutMs: 60_000, name: 'refund', context: { orderId: 'A-1001' } });
    const taskId = await sentTask(wecom, before);
    const click = await wecom.cards.click({ userId: 'lisi', taskId, eventKey: 'approve' });
    expect(click.status).toBe(200);
    await waitFor(() => seen.refund.length === 1 && seen.any.length === 1, 'the handlers');
    const expected = { taskId, name: 'refund', key: 'approve', text: '批准', user: 'lisi', at: click.createTime * 1000, context: { orderId: 'A-1001' } };
    expect(seen.refund).toEqual([expected]);
    expect(seen.refund[0].context?.orderId).toBe('A-1001');
    expect(seen.any).toEqual([expected]);
    await expect(asked).resolves.toMatchObject({ answered: true, user: 'lisi' });

    await (await wecom.cards.click({ userId: 'zhangsan', taskId, eventKey: 'reject' })).redeliver();
    await settle();
    expect(seen.refund).toHaveLength(1);
    expect(seen.any).toHaveLength(1);
    expect(seen.release).toEqual([]);
    expect(seen.refundTimeouts).toEqual([]);
  });

  it('filters on the name: another name reaches only its own handler, an unnamed question only the catch-all', async () => {
    const before = wecom.cards.tasks.size;
    void ask.notify.ask({ card: APPROVAL_CARD, to: { users: ['zhangsan'] }, timeoutMs: 60_000, name: 'release', context: { version: 'v1.4.2' } });
    const release = await sentTask(wecom, before);
    void ask.notify.ask({ card: APPROVAL_CARD, to: { users: ['zhangsan'] }, timeoutMs: 60_000 });
    const unnamed = await sentTask(wecom, before + 1);
    await wecom.cards.click({ userId: 'zhangsan', taskId: release, eventKey: 'reject' });
    await wecom.cards.click({ userId: 'zhangsan', taskId: unnamed, eventKey: 'approve' });
    await waitFor(() => seen.any.length === 2, 'the catch-all handler');
    await settle();
    expect(seen.release).toEqual([expect.objectContaining({ taskId: release, name: 'release', key: 'reject', text: '拒绝', context: { version: 'v1.4.2' } })]);
    expect(seen.any.map((a) => a.taskId).sort()).toEqual([release, unnamed].sort());
    expect(seen.any.find((a) => a.taskId === unnamed)?.name).toBeUndefined();
    expect(seen.refund).toEqual([]);
  });

  it('calls the timeout handler once when the deadline passes on the module clock, not before', async () => {
    const before = wecom.cards.tasks.size;
    const asked = ask.notify.ask({ card: APPROVAL_CARD, to: { users: ['zhangsan'] }, timeoutMs: 30_000, name: 'refund', context: { orderId: 'A-1002' } });
    const taskId = await sentTask(wecom, before);
    const deadline = clock.now() + 30_000;
    await clock.advance(29_000);
    await settle();
    expect(seen.refundTimeouts).toEqual([]);
    await clock.advance(1_000);
    await asked;
    await waitFor(() => seen.refundTimeouts.length === 1, 'the timeout handler');
    expect(seen.refundTimeouts).toEqual([{ taskId, name: 'refund', at: deadline, context: { orderId: 'A-1002' } }]);
    // A late click answers nothing.
    await wecom.cards.click({ userId: 'zhangsan', taskId, eventKey: 'approve' });
    await settle();
    expect([...seen.refund, ...seen.any]).toEqual([]);
    expect(seen.refundTimeouts).toHaveLength(1);
  });

  it('a handler that throws (sync or async) is logged without secrets or context, runs once, and the card is still updated', async () => {
    const before = wecom.cards.tasks.size;
    const updatesBefore = wecom.cards.updates.length;
    const asked = ask.notify.ask({ card: APPROVAL_CARD, to: { users: ['zhangsan'] }, timeoutMs: 60_000, name: 'boom', context: { orderId: 'CTX-PRIVATE-42' } });
    const taskId = await sentTask(wecom, before);
    const click = await wecom.cards.click({ userId: 'zhangsan', taskId, eventKey: 'approve' });
    expect(click.status).toBe(200);
    await expect(asked).resolves.toMatchObject({ answered: true, user: 'zhangsan' });
    await waitFor(() => wecom.cards.updates.length > updatesBefore, 'the card update');
    expect(wecom.cards.replacedFor(taskId, 'zhangsan')).toBe('已由 zhangsan 选择 批准');
    await waitFor(() => log.lines.filter((l) => l.includes(taskId)).length === 2, 'the two failure lines');
    const lines = log.lines.filter((l) => l.includes(taskId));
    expect(lines).toEqual(
      expect.arrayContaining([expect.stringContaining('@OnAskAnswered handler Handlers.onBoomSync failed: Error: refund API said no'), expect.stringContaining('Handlers.onBoomAsync failed: Error: async refund failed')]),
    );
    expect(log.lines.join('\n')).not.toMatch(/TOPSECRETVALUE1|CTX-PRIVATE-42/);
    // The other handlers and later questions are unaffected; the failed one is not run again.
    expect(seen.any).toHaveLength(1);
    await (await wecom.cards.click({ userId: 'zhangsan', taskId, eventKey: 'approve' })).redeliver();
    await settle();
    expect(seen.boom).toBe(2);
  });
});

describeWithRedis('@OnAskAnswered after a restart in queue mode (Redis)', () => {
  const suite = queueSuite();
  const clock = new ManualClock();

  afterEach(() => suite.wecom.close());

  it('a question asked before the restart reaches the restarted app\u2019s named handler once, with its context', async () => {
    const { redis, wecom } = suite;
    const queue = { connection: redis.connection, prefix: `askdeco${process.pid}r${suite.run}` };
    const first = await startAskApp(wecom, { clock, queue });
    const before = wecom.cards.tasks.size;
    const asked = first.notify.ask({ card: APPROVAL_CARD, to: { users: ['lisi'] }, timeoutMs: 3_600_000, name: 'refund', context: { orderId: 'A-2001' } });
    const taskId = await sentTask(wecom, before);
    // The send's answer reached the app: closing now cuts no request short.
    await waitFor(() => redisCli(redis, 'GET', `${queue.prefix}:ask:q:${taskId}`).includes('sendCode'), 'the stored send result');
    await first.close();
    await expect(asked).resolves.toMatchObject({ stillOpen: true, taskId });

    const { seen, Handlers } = recordingHandlers();
    const second = await startAskApp(wecom, { clock, queue, providers: [Handlers] });
    try {
      const click = await wecom.cards.click({ userId: 'lisi', taskId, eventKey: 'approve' }, second.target);
      await waitFor(() => seen.refund.length === 1, 'the handler after the restart');
      await settle();
      expect(seen.refund).toEqual([{ taskId, name: 'refund', key: 'approve', text: '批准', user: 'lisi', at: click.createTime * 1000, context: { orderId: 'A-2001' } }]);
      expect(seen.any).toHaveLength(1);
    } finally {
      await second.close();
    }
  });
});
