import { startAlertFakes, startAlertGateway, type AlertFakes } from './support/alert-gateway.js';
import type { TestGateway } from './support/test-gateway.js';

const SEC = 1000;
const HOUR = 3600 * SEC;
const CALLBACK = { token: 'gwCardToken', encodingAESKey: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR' };

/** Alert cards on a WeCom app Code: buttons, clicks on the verified callback route, updates for everyone. */
describe('alert cards: 确认 / 静默 1 小时 buttons', () => {
  let fakes: AlertFakes;
  let gw: TestGateway & { flush(): Promise<number> };
  let code: { id: string; code: string };

  beforeAll(async () => {
    fakes = await startAlertFakes();
    gw = await startAlertGateway(fakes, {
      env: { WECOM_CALLBACK_TOKEN: CALLBACK.token, WECOM_CALLBACK_AES_KEY: CALLBACK.encodingAESKey, WECOM_CALLBACK_CORP_ID: fakes.wecom.corpId },
    });
    fakes.wecom.cards.callback = { url: `${gw.url}/callbacks/wecom`, ...CALLBACK };
    code = await gw.createCode({ to: { users: ['zhangsan', 'lisi'] } });
  });
  afterAll(async () => {
    await gw?.close();
    await fakes?.close();
  });

  const fire = async (name: string) => {
    const res = await gw.call('POST', `/api/alerts/${code.code}`, { version: '4', status: 'firing', alerts: [alert(name, 'db1')] }, { auth: false });
    expect(res.status).toBe(200);
    fakes.clock.advance(10 * SEC);
    expect(await gw.flush()).toBe(1);
    const task = [...fakes.wecom.cards.tasks.values()].at(-1)!;
    expect(task.card.main_title).toMatchObject({ title: `【告警 · critical】${name}` });
    return task;
  };
  const until = async (what: string, check: () => boolean) => {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
    if (!check()) throw new Error(`timed out waiting for ${what}`);
  };
  const group = async (name: string) => {
    const res = await gw.call('GET', `/admin/api/alerts?codeId=${code.id}`);
    return { group: res.json.groups.find((g: { groupKey: string }) => g.groupKey.includes(name)), silences: res.json.silences as Array<Record<string, unknown>> };
  };

  it('a firing group arrives as a card with both buttons; 确认 stops the repeats and updates the card for everyone', async () => {
    const task = await fire('DiskFull');
    expect(task.card).toMatchObject({
      card_type: 'button_interaction',
      button_list: [
        { text: '确认', key: 'ack' },
        { text: '静默 1 小时', key: 'silence_1h' },
      ],
    });
    expect(task.touser).toEqual(['zhangsan', 'lisi']);

    const click = await fakes.wecom.cards.click({ userId: 'lisi', taskId: task.taskId, eventKey: 'ack' });
    expect(click.status).toBe(200);
    await until('the card update', () => fakes.wecom.cards.updates.length === 1);
    expect(fakes.wecom.cards.updates[0]).toMatchObject({ taskId: task.taskId, atall: true, responseCode: click.responseCode });
    // 02:00:10 UTC is 10:00 in the default Asia/Shanghai.
    expect(fakes.wecom.cards.replacedFor(task.taskId, 'zhangsan')).toBe('已由 lisi 确认 10:00');
    const { group: acked } = await group('DiskFull');
    expect(acked).toMatchObject({ acknowledgedBy: 'wecom:lisi' });
    const log = await gw.call('GET', '/admin/api/alerts/deliveries?q=lisi');
    expect(log.json.deliveries).toEqual([expect.objectContaining({ reason: 'acknowledged by lisi (card button)', status: 'sent', groupIds: [acked.id] })]);

    // A redelivery acts once; a second member's late click shows the first acknowledgement.
    await click.redeliver();
    await fakes.wecom.cards.click({ userId: 'zhangsan', taskId: task.taskId, eventKey: 'ack' });
    await until('the second update', () => fakes.wecom.cards.updates.length === 2);
    await new Promise((r) => setTimeout(r, 200));
    expect(fakes.wecom.cards.updates).toHaveLength(2);
    expect(fakes.wecom.cards.updates[1].replaceName).toBe('已由 lisi 确认 10:00');
    expect((await group('DiskFull')).group.acknowledgedBy).toBe('wecom:lisi');

    // Acknowledged: the repeat interval passes without a new message.
    const sends = fakes.wecom.sendCalls;
    fakes.clock.advance(5 * HOUR);
    await gw.call('POST', `/api/alerts/${code.code}`, { version: '4', status: 'firing', alerts: [alert('DiskFull', 'db1')] }, { auth: false });
    await gw.flush();
    expect(fakes.wecom.sendCalls).toBe(sends);
  });

  it('静默 1 小时 silences the group for an hour, recorded with who did it', async () => {
    const task = await fire('HighLoad');
    await fakes.wecom.cards.click({ userId: 'zhangsan', taskId: task.taskId, eventKey: 'silence_1h' });
    await until('the card update', () => fakes.wecom.cards.updates.some((u) => u.taskId === task.taskId));
    expect(fakes.wecom.cards.replacedFor(task.taskId, 'lisi')).toMatch(/^已由 zhangsan 静默 1 小时（至 \d\d:\d\d）$/);
    const { silences } = await group('HighLoad');
    expect(silences).toEqual(expect.arrayContaining([expect.objectContaining({ createdBy: 'wecom:zhangsan', matchers: ['alertname="HighLoad"'], active: true })]));
  });

  it('a click after the group resolved acts on nothing and says so', async () => {
    const task = await fire('FanStuck');
    await gw.call('POST', `/api/alerts/${code.code}`, { version: '4', status: 'resolved', alerts: [{ ...alert('FanStuck', 'db1'), status: 'resolved', endsAt: '2026-08-01T02:00:00Z' }] }, { auth: false });
    fakes.clock.advance(5 * 60 * SEC);
    expect(await gw.flush()).toBe(1);
    await fakes.wecom.cards.click({ userId: 'lisi', taskId: task.taskId, eventKey: 'ack' });
    await until('the card update', () => fakes.wecom.cards.updates.some((u) => u.taskId === task.taskId));
    expect(fakes.wecom.cards.replacedFor(task.taskId, 'zhangsan')).toBe('已恢复，无需处理');
    const res = await gw.call('GET', `/admin/api/alerts?codeId=${code.id}&state=resolved`);
    expect(res.json.groups.find((g: { groupKey: string }) => g.groupKey.includes('FanStuck'))).toMatchObject({ acknowledgedBy: null });
  });

  it('ignores forged callbacks and clicks on other cards', async () => {
    const task = await fire('CpuHot');
    const before = fakes.wecom.cards.updates.length;
    const forged = await fakes.wecom.cards.click({ userId: 'lisi', taskId: task.taskId, eventKey: 'ack' }, { url: `${gw.url}/callbacks/wecom`, token: 'not-the-token', encodingAESKey: CALLBACK.encodingAESKey });
    expect(forged.status).toBe(403);
    await new Promise((r) => setTimeout(r, 300));
    expect(fakes.wecom.cards.updates).toHaveLength(before);
    expect((await group('CpuHot')).group.acknowledgedAt).toBeNull();
  });
});

function alert(name: string, instance: string) {
  return {
    status: 'firing',
    labels: { alertname: name, instance, severity: 'critical' },
    annotations: { summary: `${name} on ${instance}` },
    startsAt: '2026-08-01T01:00:00Z',
    endsAt: '0001-01-01T00:00:00Z',
  };
}
