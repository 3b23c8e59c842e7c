import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  abortMayHaveArrived,
  buttonCard,
  createChannel,
  MemoryTokenStore,
  multipleCard,
  TemplateCardInbox,
  voteCard,
  WeComCallback,
  WeComCryptoError,
  WECOM_APP_LIMITS,
  type TemplateCardEvent,
  type WeComAppChannel,
} from '@wxnotify/core';
import { startFakeWeCom, type FakeWeCom } from '../fakes/wecom';
import { caught, rejection } from '../support/notify-errors';
import { VirtualClock } from '../support/virtual-clock';

const CALLBACK = { token: 'cardtoken', encodingAESKey: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR' };

/** A minimal host: the app's callback URL, verifying and decrypting like the real hosts do. */
async function startReceiver(corpId: string, onClick: (event: TemplateCardEvent) => Promise<void>) {
  const crypto = new WeComCallback({ ...CALLBACK, receiveId: corpId });
  const inbox = new TemplateCardInbox();
  const reported: TemplateCardEvent[] = [];
  const rejected: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const query = Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams);
      try {
        const receipt = inbox.accept(crypto.decryptMessage(query, Buffer.concat(chunks).toString('utf8')));
        if (receipt && !receipt.duplicate) {
          reported.push(receipt.event);
          await onClick(receipt.event);
        }
        res.writeHead(200).end('');
      } catch (error) {
        rejected.push(error instanceof WeComCryptoError ? error.code : String(error));
        res.writeHead(error instanceof WeComCryptoError ? 403 : 500).end('');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks/wecom`;
  return { url, reported, rejected, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const approval = (taskId?: string) =>
  buttonCard({
    ...(taskId ? { taskId } : {}),
    title: '发布审批',
    description: 'v1.4.2 → prod',
    source: 'CI',
    fields: [{ key: '申请人', value: '张三' }],
    buttons: [
      { text: '批准', key: 'approve', style: 1 },
      { text: '拒绝', key: 'reject', style: 2 },
    ],
  });

describe('interactive cards: builders and validation', () => {
  it('builds the three interactive types with a fresh task id each', () => {
    const a = approval();
    const b = approval();
    expect(a).toMatchObject({ card_type: 'button_interaction', main_title: { title: '发布审批' }, button_list: [{ key: 'approve' }, { key: 'reject', style: 2 }] });
    expect(a.task_id).toMatch(/^[0-9A-Za-z_\-@]{1,128}$/);
    expect(a.task_id).not.toBe(b.task_id);
    const vote = voteCard({ title: '午饭', questionKey: 'lunch', options: [{ id: 'a', text: '面' }, { id: 'b', text: '饭' }], multiple: true, submit: { text: '提交', key: 'go' } });
    expect(vote).toMatchObject({ card_type: 'vote_interaction', checkbox: { question_key: 'lunch', mode: 1 }, submit_button: { key: 'go' } });
    const multiple = multipleCard({ title: '值班', selects: [{ questionKey: 'who', options: [{ id: 'z', text: '张三' }], selectedId: 'z' }], submit: { text: '确定', key: 'ok' } });
    expect(multiple).toMatchObject({ card_type: 'multiple_interaction', select_list: [{ question_key: 'who', selected_id: 'z' }] });
  });

  it('names the field that breaks a rule', () => {
    const field = (fn: () => unknown) => {
      const error = caught(fn);
      expect(error.kind).toBe('validation');
      return error.message;
    };
    expect(field(() => approval('bad id!'))).toMatch(/task_id: may only contain/);
    expect(field(() => approval('x'.repeat(WECOM_APP_LIMITS.cardTaskIdBytes + 1)))).toMatch(/task_id: is longer than 128 bytes/);
    expect(field(() => buttonCard({ title: 't', buttons: [] }))).toMatch(/button_list: needs 1–6 entries/);
    const seven = Array.from({ length: 7 }, (_, i) => ({ text: `b${i}`, key: `k${i}` }));
    expect(field(() => buttonCard({ title: 't', buttons: seven }))).toMatch(/button_list: needs 1–6/);
    expect(field(() => buttonCard({ title: 't', buttons: [{ text: 'a', key: 'k' }, { text: 'b', key: 'k' }] }))).toMatch(/button_list\[1\]\.key: "k" is used twice/);
    expect(field(() => buttonCard({ title: 't'.repeat(37), buttons: [{ text: 'a', key: 'k' }] }))).toMatch(/main_title\.title: is 37 characters; WeCom shows at most 36/);
    expect(field(() => buttonCard({ title: '', buttons: [{ text: 'a', key: 'k' }] }))).toMatch(/main_title\.title: is required/);
    expect(field(() => buttonCard({ title: 't', buttons: [{ text: '一二三四五六七八九十一', key: 'k' }] }))).toMatch(/button_list\[0\]\.text: is 11 characters/);
    expect(field(() => buttonCard({ title: 't', buttons: [{ text: 'a', url: 'ftp://x' }] }))).toMatch(/button_list\[0\]\.url: must be an http/);
    const options = Array.from({ length: 21 }, (_, i) => ({ id: `o${i}`, text: `o${i}` }));
    expect(field(() => voteCard({ title: 't', questionKey: 'q', options, submit: { text: 's', key: 'k' } }))).toMatch(/checkbox\.option_list: needs 1–20/);
    expect(field(() => voteCard({ title: 't', questionKey: 'q', options: [{ id: 'a', text: 'a' }, { id: 'a', text: 'b' }], submit: { text: 's', key: 'k' } }))).toMatch(/option_list\[1\]\.id: "a" is used twice/);
    expect(field(() => voteCard({ title: 't', questionKey: 'q', options: [{ id: 'a', text: 'a' }], submit: { text: 's', key: 'q' } }))).toMatch(/submit_button\.key: "q" is used twice/);
    expect(field(() => multipleCard({ title: 't', selects: [], submit: { text: 's', key: 'k' } }))).toMatch(/select_list: needs 1–3/);
    expect(field(() => multipleCard({ title: 't', selects: [{ questionKey: 'q', options: [{ id: 'a', text: 'a' }], selectedId: 'b' }], submit: { text: 's', key: 'k' } }))).toMatch(/selected_id: is not one of the option ids/);
  });
});

describe('interactive cards: send, click, update (fake WeCom over HTTP)', () => {
  let clock: VirtualClock;
  let wecom: FakeWeCom;
  let channel: WeComAppChannel;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const handled: Array<{ event: TemplateCardEvent; update: unknown }> = [];

  beforeEach(async () => {
    handled.length = 0;
    clock = new VirtualClock();
    wecom = await startFakeWeCom({ clock });
    channel = createChannel({ type: 'wecom-app', ...wecom.credentials, baseUrl: wecom.url }, { clock, tokenStore: new MemoryTokenStore() }) as WeComAppChannel;
    receiver = await startReceiver(wecom.corpId, async (event) => {
      const update = await channel
        .updateTemplateCard({ responseCode: event.responseCode, issuedAt: event.createTime * 1000, replaceButton: `已由 ${event.userId} ${event.eventKey === 'approve' ? '批准' : '拒绝'}` })
        .catch((error: unknown) => error);
      handled.push({ event, update });
    });
    wecom.cards.callback = { url: receiver.url, ...CALLBACK };
  });
  afterEach(async () => {
    await receiver.close();
    await wecom.close();
  });

  it('click → typed event → card updated for everyone', async () => {
    const sent = await channel.sendCard(approval(), { users: ['zhangsan', 'lisi'] });
    expect(sent.responseCode).toEqual(expect.any(String));
    expect(wecom.cards.tasks.get(sent.taskId)).toMatchObject({ cardType: 'button_interaction', touser: ['zhangsan', 'lisi'] });
    const click = await wecom.cards.click({ userId: 'lisi', taskId: sent.taskId, eventKey: 'approve' });
    expect(click.status).toBe(200);
    expect(receiver.reported).toEqual([
      expect.objectContaining({ event: 'template_card_event', userId: 'lisi', taskId: sent.taskId, eventKey: 'approve', cardType: 'button_interaction', responseCode: click.responseCode, agentId: wecom.agentId }),
    ]);
    expect(handled[0].update).toEqual({ invalidUsers: [] });
    expect(wecom.cards.updates).toEqual([expect.objectContaining({ taskId: sent.taskId, atall: true, replaceName: '已由 lisi 批准', responseCode: click.responseCode })]);
    expect(wecom.cards.replacedFor(sent.taskId, 'zhangsan')).toBe('已由 lisi 批准');
  });

  it('reports the selected options of vote and multiple cards', async () => {
    const sent = await channel.sendCard(
      voteCard({ title: '午饭', questionKey: 'lunch', options: [{ id: 'a', text: '面' }, { id: 'b', text: '饭' }, { id: 'c', text: '粥' }], multiple: true, submit: { text: '提交', key: 'go' } }),
      { users: ['wangwu'] },
    );
    await wecom.cards.click({ userId: 'wangwu', taskId: sent.taskId, selected: [{ questionKey: 'lunch', optionIds: ['a', 'c'] }] });
    expect(receiver.reported[0]).toMatchObject({ cardType: 'vote_interaction', eventKey: 'go', selected: [{ questionKey: 'lunch', optionIds: ['a', 'c'] }] });
  });

  it('reports a redelivered click and a double tap once; another member is a new event', async () => {
    const sent = await channel.sendCard(approval(), { parties: ['3'] });
    const first = await wecom.cards.click({ userId: 'wangwu', taskId: sent.taskId, eventKey: 'reject' });
    expect((await first.redeliver()).status).toBe(200);
    clock.advance(1500);
    await wecom.cards.click({ userId: 'wangwu', taskId: sent.taskId, eventKey: 'reject' });
    expect(receiver.reported.map((e) => e.userId)).toEqual(['wangwu']);
    await wecom.cards.click({ userId: 'zhangsan', taskId: sent.taskId, eventKey: 'approve' });
    expect(receiver.reported.map((e) => [e.userId, e.eventKey])).toEqual([
      ['wangwu', 'reject'],
      ['zhangsan', 'approve'],
    ]);
    expect(wecom.cards.updates).toHaveLength(2);
  });

  it('refuses a spent response code before the request, and WeCom refuses one this process never saw', async () => {
    const sent = await channel.sendCard(approval(), { users: ['zhangsan'] });
    await channel.updateTemplateCard({ responseCode: sent.responseCode!, replaceButton: '已处理' });
    const requests = wecom.server.requests.length;
    expect((await rejection(channel.updateTemplateCard({ responseCode: sent.responseCode!, replaceButton: '再次' }))).code).toBe('CARD_RESPONSE_CODE_USED');
    expect(wecom.server.requests.length).toBe(requests);
    // Another process (or a restart) holding the same code: WeCom's single-use rule answers.
    const other = createChannel({ type: 'wecom-app', ...wecom.credentials, baseUrl: wecom.url }, { clock, tokenStore: new MemoryTokenStore() }) as WeComAppChannel;
    const error = await rejection(other.updateTemplateCard({ responseCode: sent.responseCode!, replaceButton: '再次' }));
    expect(error).toMatchObject({ code: 40058, kind: 'upstream', retryable: false, operation: 'message/update_template_card' });
    expect(error.hint).toMatch(/72/);
  });

  it('refuses a response code older than 72 h, known or given with issuedAt', async () => {
    const sent = await channel.sendCard(approval(), { users: ['zhangsan'] });
    clock.advance(WECOM_APP_LIMITS.cardResponseCodeTtlSeconds * 1000);
    expect((await rejection(channel.updateTemplateCard({ responseCode: sent.responseCode!, replaceButton: 'x' }))).code).toBe('CARD_RESPONSE_CODE_EXPIRED');
    const other = createChannel({ type: 'wecom-app', ...wecom.credentials, baseUrl: wecom.url }, { clock, tokenStore: new MemoryTokenStore() }) as WeComAppChannel;
    expect((await rejection(other.updateTemplateCard({ responseCode: sent.responseCode!, issuedAt: sent.issuedAt, replaceButton: 'x' }))).code).toBe('CARD_RESPONSE_CODE_EXPIRED');
    expect(wecom.cards.updates).toHaveLength(0);
    // Without issuedAt the other process asks WeCom, which also refuses it.
    expect((await rejection(other.updateTemplateCard({ responseCode: sent.responseCode!, replaceButton: 'x' }))).code).toBe(40058);
  });

  it('replaces the whole card, for some members', async () => {
    const sent = await channel.sendCard(approval(), { users: ['zhangsan', 'lisi'] });
    const done = buttonCard({ taskId: sent.taskId, title: '发布审批 · 已批准', buttons: [{ text: '查看', url: 'https://ci.example/r/1' }] });
    const result = await channel.updateTemplateCard({ responseCode: sent.responseCode!, to: { users: ['zhangsan', 'nobody'] }, card: { ...done, replace_text: '已批准' } });
    expect(result.invalidUsers).toEqual(['nobody']);
    expect(wecom.cards.tasks.get(sent.taskId)!.current).toMatchObject({ main_title: { title: '发布审批 · 已批准' }, replace_text: '已批准' });
  });

  it('never sends a task id twice, nor an interactive card in several batches', async () => {
    const card = approval();
    await channel.sendCard(card, { users: ['zhangsan'] });
    const before = wecom.sendCalls;
    expect((await rejection(channel.sendCard(card, { users: ['lisi'] }))).code).toBe('CARD_TASK_ID_USED');
    const users = Array.from({ length: 1001 }, (_, i) => `u${i}`);
    expect((await rejection(channel.sendCard(approval(), { users }))).code).toBe('INVALID_RECIPIENTS');
    expect(wecom.sendCalls).toBe(before);
    // Another process reusing the id meets WeCom's own rule.
    const other = createChannel({ type: 'wecom-app', ...wecom.credentials, baseUrl: wecom.url }, { clock, tokenStore: new MemoryTokenStore() }) as WeComAppChannel;
    const error = await rejection(other.sendCard(card, { users: ['lisi'] }));
    expect(error).toMatchObject({ code: 42014, retryable: false });
  });

  it('an update WeCom applied but did not answer is not replayed with its single-use code: outcome unknown', async () => {
    const sent = await channel.sendCard(approval(), { users: ['zhangsan'] });
    wecom.dropAfterApplying('message/update_template_card', 1);
    const error = await rejection(channel.updateTemplateCard({ responseCode: sent.responseCode!, replaceButton: '已由 zhangsan 确认' }));
    expect(error).toMatchObject({ code: 'UPDATE_OUTCOME_UNKNOWN', retryable: false, deliveryUnknown: true, operation: 'message/update_template_card' });
    expect(error.hint).toMatch(/^卡片可能已更新/);
    expect(abortMayHaveArrived(error)).toBe(true);
    expect(wecom.server.calls('/message/update_template_card')).toHaveLength(1);
    expect(wecom.errors).not.toContain(40058);
    expect(wecom.cards.replacedFor(sent.taskId, 'zhangsan')).toBe('已由 zhangsan 确认');
    // The code may be spent: this process does not offer it again.
    expect((await rejection(channel.updateTemplateCard({ responseCode: sent.responseCode!, replaceButton: 'x' }))).code).toBe('CARD_RESPONSE_CODE_USED');
  });

  it('a 5xx answer to an update is an unknown outcome too; a busy errcode (not applied) is retried', async () => {
    const first = await channel.sendCard(approval(), { users: ['zhangsan'] });
    wecom.server.injectFaults({ status: { code: 502, count: 1 } });
    expect(await rejection(channel.updateTemplateCard({ responseCode: first.responseCode!, replaceButton: 'x' }))).toMatchObject({ code: 'UPDATE_OUTCOME_UNKNOWN', status: 502 });
    expect(wecom.server.calls('/message/update_template_card')).toHaveLength(1);
    const second = await channel.sendCard(approval(), { users: ['zhangsan'] });
    wecom.failNext('message/update_template_card', -1, 1);
    await expect(channel.updateTemplateCard({ responseCode: second.responseCode!, replaceButton: '已处理' })).resolves.toEqual({ invalidUsers: [] });
    expect(wecom.server.calls('/message/update_template_card')).toHaveLength(3);
    expect(wecom.cards.replacedFor(second.taskId, 'zhangsan')).toBe('已处理');
  });

  it('an update that never reached WeCom (connection refused) fails plainly and keeps its code', async () => {
    const sent = await channel.sendCard(approval(), { users: ['zhangsan'] });
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = createChannel({ type: 'wecom-app', ...wecom.credentials, baseUrl: `http://127.0.0.1:${port}` }, { clock, tokenStore: new MemoryTokenStore() }) as WeComAppChannel;
    const error = await rejection(unreachable.updateTemplateCard({ responseCode: sent.responseCode!, replaceButton: 'x' }));
    expect(error).toMatchObject({ kind: 'network', code: 'ECONNREFUSED', retryable: true });
    expect(error.deliveryUnknown).toBeUndefined();
    // Nothing reached WeCom, so the code is still good: not refused as spent, and WeCom accepts it.
    expect((await rejection(unreachable.updateTemplateCard({ responseCode: sent.responseCode!, replaceButton: 'x' }))).code).toBe('ECONNREFUSED');
    await expect(channel.updateTemplateCard({ responseCode: sent.responseCode!, replaceButton: '已处理' })).resolves.toEqual({ invalidUsers: [] });
  });

  it('rejects forged and foreign callbacks (no event reported, no update)', async () => {
    const sent = await channel.sendCard(approval(), { users: ['zhangsan'] });
    await wecom.cards.click({ userId: 'zhangsan', taskId: sent.taskId, eventKey: 'approve' }, { url: receiver.url, token: 'wrong-token', encodingAESKey: CALLBACK.encodingAESKey });
    await wecom.cards.click({ userId: 'zhangsan', taskId: sent.taskId, eventKey: 'approve' }, { url: receiver.url, token: CALLBACK.token, encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' });
    expect(receiver.rejected).toEqual(['BAD_SIGNATURE', expect.stringMatching(/BAD_PADDING|BAD_CIPHERTEXT|BAD_RECEIVEID/)]);
    expect(receiver.reported).toHaveLength(0);
    expect(wecom.cards.updates).toHaveLength(0);
  });
});
