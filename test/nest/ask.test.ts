import { Injectable, type INestApplication } from '@nestjs/common';
import { EventEmitterModule, OnEvent } from '@nestjs/event-emitter';
import type { TemplateCardEvent } from '@wxnotify/core';
import { ASK_EVENTS, NotifyService, OnCardAction, type AskAnsweredEvent, type AskResult } from '@wxnotify/nestjs';
import { startFakeWeCom, type FakeWeCom } from '../fakes/wecom';
import { APPROVAL_CARD, ASK_CALLBACK, sentTask as sentCard, startAskApp } from './support/ask-app';
import { waitFor } from './support/wait';
import { ManualClock } from '../support/manual-clock';

const CALLBACK = ASK_CALLBACK;
const question = APPROVAL_CARD;

describe('NotifyService.ask: button card → click through the Nest callback route → answer (real Nest app, fake WeCom over HTTP)', () => {
  let wecom: FakeWeCom;
  let app: INestApplication;
  let notify: NotifyService;
  const clock = new ManualClock();
  const actions: TemplateCardEvent[] = [];
  const answers: AskAnsweredEvent[] = [];

  @Injectable()
  class Approvals {
    @OnCardAction('approve')
    onApprove(event: TemplateCardEvent): void {
      actions.push(event);
    }

    @OnEvent(ASK_EVENTS.answered)
    onAnswer(event: AskAnsweredEvent): void {
      answers.push(event);
    }
  }

  beforeAll(async () => {
    wecom = await startFakeWeCom();
    const ask = await startAskApp(wecom, { clock, imports: [EventEmitterModule.forRoot({ wildcard: true })], providers: [Approvals] });
    app = ask.app;
    wecom.cards.callback = ask.target;
    notify = ask.notify;
  });

  afterAll(async () => {
    await app.close();
    await wecom.close();
  });

  beforeEach(() => {
    actions.length = 0;
    answers.length = 0;
  });

  const sentTask = (before: number) => sentCard(wecom, before);

  it('resolves with the member who clicked and updates the card for everyone; a second click is reported once', async () => {
    const before = wecom.cards.tasks.size;
    const updatesBefore = wecom.cards.updates.length;
    const asked = notify.ask({ card: question, to: { users: ['zhangsan', 'lisi'] }, timeoutMs: 60_000, name: 'release', context: { version: 'v1.4.2' } });
    const taskId = await sentTask(before);
    const click = await wecom.cards.click({ userId: 'lisi', taskId, eventKey: 'approve' });
    expect(click.status).toBe(200);
    await expect(asked).resolves.toMatchObject({ answered: true, key: 'approve', user: 'lisi', taskId });
    await waitFor(() => wecom.cards.updates.length > updatesBefore, 'the card update');
    expect(wecom.cards.updates.slice(updatesBefore)).toEqual([expect.objectContaining({ taskId, atall: true, replaceName: '已由 lisi 选择 批准', responseCode: click.responseCode })]);
    await waitFor(() => actions.length === 1, 'the @OnCardAction handler');
    expect(actions[0]).toMatchObject({ userId: 'lisi', taskId, eventKey: 'approve' });
    expect(answers).toEqual([{ taskId, name: 'release', key: 'approve', text: '批准', user: 'lisi', at: click.createTime * 1000, context: { version: 'v1.4.2' } }]);

    const again = await wecom.cards.click({ userId: 'lisi', taskId, eventKey: 'approve' });
    const redelivered = await again.redeliver();
    expect([again.status, redelivered.status]).toEqual([200, 200]);
    await new Promise((r) => setTimeout(r, 50));
    expect(actions).toHaveLength(1);
    expect(answers).toHaveLength(1);
    expect(wecom.cards.updates.length).toBe(updatesBefore + 1);
  });

  it('resolves as timed out after timeoutMs on the module clock, not before', async () => {
    const before = wecom.cards.tasks.size;
    let result: AskResult | undefined;
    const asked = notify.ask({ card: question, to: { users: ['zhangsan'] }, timeoutMs: 30_000 }).then((r) => (result = r));
    const taskId = await sentTask(before);
    await clock.advance(29_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(result).toBeUndefined();
    await clock.advance(1_000);
    await asked;
    expect(result).toEqual({ answered: false, timedOut: true, taskId });
    // The send's response code shows the timeout line to everyone, without a click.
    await waitFor(() => wecom.cards.replacedFor(taskId, 'zhangsan') !== undefined, 'the timeout card update');
    expect(wecom.cards.replacedFor(taskId, 'zhangsan')).toBe('已超时');
    // A late click answers nothing, changes no card and reaches no @OnCardAction handler.
    const updates = wecom.cards.updates.length;
    await wecom.cards.click({ userId: 'zhangsan', taskId, eventKey: 'approve' });
    await new Promise((r) => setTimeout(r, 50));
    expect(wecom.cards.updates.length).toBe(updates);
    expect(actions).toHaveLength(0);
  });

  it('rejects a forged click (wrong key) with 403 and leaves the question open', async () => {
    const before = wecom.cards.tasks.size;
    let result: AskResult | undefined;
    const asked = notify.ask({ card: question, to: { users: ['zhangsan'] }, timeoutMs: 5_000 }).then((r) => (result = r));
    const taskId = await sentTask(before);
    const port = (app.getHttpServer().address() as { port: number }).port;
    const forged = await wecom.cards.click({ userId: 'zhangsan', taskId, eventKey: 'approve' }, { url: `http://127.0.0.1:${port}/hooks/wecom`, token: 'forged', encodingAESKey: CALLBACK.encodingAESKey });
    expect(forged.status).toBe(403);
    await new Promise((r) => setTimeout(r, 50));
    expect(result).toBeUndefined();
    expect(actions).toHaveLength(0);
    await clock.advance(5_000);
    await asked;
    expect(result).toMatchObject({ answered: false, timedOut: true });
  });

  it('names the problem when the channel cannot carry buttons', async () => {
    await expect(notify.ask({ card: { title: 'x', buttons: [{ text: '看看', url: 'https://example.com' }] }, timeoutMs: 1000 })).rejects.toMatchObject({ kind: 'validation' });
  });
});
