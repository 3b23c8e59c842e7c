import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertStore } from '../../gateway/src/alerts/alert-store.js';
import { migrations } from '../../gateway/src/store/migrations.js';
import { SqliteDriver } from '../../gateway/src/store/sqlite-driver.js';
import { PostgresDriver } from '../../gateway/src/store/postgres-driver.js';
import type { SqlDriver } from '../../gateway/src/store/sql-driver.js';
import { GatewayStore } from '../../gateway/src/store/store.js';
import { startTempPostgres } from './support/postgres.js';
import { startAlertFakes, startAlertGateway, type AlertFakes } from './support/alert-gateway.js';
import type { TestGateway } from './support/test-gateway.js';

const SEC = 1000;
const HOUR = 3600 * SEC;
/** Attempts the WeCom client makes within one call for a retryable answer (core's default retry policy). */
const CLIENT_ATTEMPTS = 4;
const hhmm = (ms: number) => new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: 'Asia/Shanghai' }).format(ms);
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

  const fire = async (name: string, to = code) => {
    const res = await gw.call('POST', `/api/alerts/${to.code}`, { version: '4', status: 'firing', alerts: [alert(name, 'db1')] }, { auth: false });
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
  /** The delivery-log rows `match` picks, once `count` of them have their final status. */
  const finalRows = async (match: (row: Record<string, any>) => boolean, count: number) => {
    for (let i = 0; i < 200; i++) {
      const res = await gw.call('GET', '/admin/api/alerts/deliveries?limit=200');
      const rows = (res.json.deliveries as Array<Record<string, any>>).filter((r) => match(r) && r.status !== 'sending');
      if (rows.length >= count) return rows;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('timed out waiting for the delivery-log rows');
  };
  const finalRow = async (match: (row: Record<string, any>) => boolean) => (await finalRows(match, 1))[0]!;
  const resolve = async (name: string, to = code) => {
    await gw.call('POST', `/api/alerts/${to.code}`, { version: '4', status: 'resolved', alerts: [{ ...alert(name, 'db1'), status: 'resolved', endsAt: '2026-08-01T02:00:00Z' }] }, { auth: false });
    fakes.clock.advance(5 * 60 * SEC);
    expect(await gw.flush()).toBeGreaterThanOrEqual(1);
  };
  const group = async (name: string, of = code) => {
    const res = await gw.call('GET', `/admin/api/alerts?codeId=${of.id}`);
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
    // One update with the click's code changes every recipient's card. 02:00:10 UTC is 10:00 in the default Asia/Shanghai.
    for (const member of task.touser) expect(fakes.wecom.cards.replacedFor(task.taskId, member)).toBe('已由 lisi 确认 10:00');
    const { group: acked } = await group('DiskFull');
    expect(acked).toMatchObject({ acknowledgedBy: 'wecom:lisi' });
    const ackRow = await finalRow((r) => r.reason === 'acknowledged by lisi (card button)');
    expect(ackRow).toMatchObject({ status: 'sent', retries: 0, groupIds: [acked.id] });
    // The row records a card update, not a message: the log's resend refuses it.
    const resend = await gw.call('POST', `/admin/api/alerts/deliveries/${ackRow.id}/resend`);
    expect(resend.status).toBe(400);
    expect(resend.json).toMatchObject({ code: 'INVALID_FIELD', field: 'id' });

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

  it('when a group resolves, each of its firing cards shows 已恢复 HH:MM for every recipient (the send’s response code, no click needed)', async () => {
    // A Code of its own: no other group of this file repeats into a digest with this one.
    const team = await gw.createCode({ to: { users: ['zhangsan', 'lisi', 'wangwu'] } });
    const first = await fire('FanStuck', team);
    // Still firing after the repeat interval: Alertmanager sends it again and a second card goes out.
    fakes.clock.advance(4 * HOUR);
    await gw.call('POST', `/api/alerts/${team.code}`, { version: '4', status: 'firing', alerts: [alert('FanStuck', 'db1')] }, { auth: false });
    await gw.flush();
    const repeat = [...fakes.wecom.cards.tasks.values()].filter((t) => t.touser.includes('wangwu')).at(-1)!;
    expect(repeat.taskId).not.toBe(first.taskId);
    const updates = fakes.wecom.cards.updates.length;
    const { group: fan } = await group('FanStuck', team);

    await resolve('FanStuck', team);
    const line = `已恢复 ${hhmm(fakes.clock.now())}`;
    await until('both cards updated', () => fakes.wecom.cards.updates.length === updates + 2);
    expect(first.touser).toEqual(['zhangsan', 'lisi', 'wangwu']);
    for (const task of [first, repeat]) {
      expect(fakes.wecom.cards.updates.find((u) => u.taskId === task.taskId)).toMatchObject({ atall: true, replaceName: line });
      for (const member of task.touser) expect(fakes.wecom.cards.replacedFor(task.taskId, member)).toBe(line);
    }
    expect(await finalRows((r) => r.groupIds[0] === fan.id && r.reason.startsWith('resolved:'), 2)).toEqual([
      expect.objectContaining({ status: 'sent', title: line, reason: 'resolved: firing card updated for every recipient' }),
      expect.objectContaining({ status: 'sent', title: line, reason: 'resolved: firing card updated for every recipient' }),
    ]);
  });

  it('a resolve update WeCom refuses is logged as "card not updated"; the next click on that card shows the resolve and acts on nothing', async () => {
    const task = await fire('PsuFail');
    fakes.wecom.failNext('message/update_template_card', 40058, 1, 'invalid response_code');
    await resolve('PsuFail');
    const resolvedAt = fakes.clock.now();
    const res = await gw.call('GET', `/admin/api/alerts?codeId=${code.id}&state=resolved`);
    const closed = res.json.groups.find((g: { groupKey: string }) => g.groupKey.includes('PsuFail'));
    const refused = await finalRow((r) => r.reason.startsWith('resolved:') && r.groupIds[0] === closed.id);
    expect(refused).toMatchObject({ status: 'failed', upstreamCode: '40058' });
    expect(refused.error).toMatch(/^card not updated: response_code 无效/);
    expect(fakes.wecom.cards.replacedFor(task.taskId, 'zhangsan')).toBeUndefined();

    fakes.clock.advance(20 * 60 * SEC);
    await fakes.wecom.cards.click({ userId: 'lisi', taskId: task.taskId, eventKey: 'ack' });
    await until('the card update', () => fakes.wecom.cards.updates.some((u) => u.taskId === task.taskId));
    expect(fakes.wecom.cards.replacedFor(task.taskId, 'zhangsan')).toBe(`已恢复 ${hhmm(resolvedAt)}`);
    expect(await finalRow((r) => r.reason === 'clicked by lisi after the group resolved (card button)')).toMatchObject({ status: 'sent' });
    const after = await gw.call('GET', `/admin/api/alerts?codeId=${code.id}&state=resolved`);
    expect(after.json.groups.find((g: { id: string }) => g.id === closed.id)).toMatchObject({ acknowledgedBy: null });
  });

  it('an update WeCom answers with a retryable error (past the client’s own retries) is tried again later on the clock, once, and logged', async () => {
    const task = await fire('SlowDisk');
    const calls = fakes.wecom.calls('message/update_template_card');
    fakes.wecom.failNext('message/update_template_card', -1, CLIENT_ATTEMPTS);
    const click = await fakes.wecom.cards.click({ userId: 'zhangsan', taskId: task.taskId, eventKey: 'ack' });
    expect(click.status).toBe(200);
    const { group: slow } = await group('SlowDisk');
    const isRow = (r: Record<string, any>) => r.reason === 'acknowledged by zhangsan (card button)' && r.groupIds[0] === slow.id;
    await until('the first try', () => fakes.wecom.calls('message/update_template_card') - calls === CLIENT_ATTEMPTS);
    await new Promise((r) => setTimeout(r, 100));
    // Waiting in the store for its due time: a round before it does nothing.
    fakes.clock.advance(29 * SEC);
    await gw.flush();
    expect(fakes.wecom.calls('message/update_template_card') - calls).toBe(CLIENT_ATTEMPTS);
    expect((await finalRows(isRow, 0)).filter(isRow)).toEqual([]);
    fakes.clock.advance(1 * SEC);
    await gw.flush();
    const row = await finalRow(isRow);
    expect(row).toMatchObject({ status: 'sent', retries: 1, error: null });
    expect(fakes.wecom.calls('message/update_template_card') - calls).toBe(CLIENT_ATTEMPTS + 1);
    expect(fakes.wecom.cards.updates.filter((u) => u.taskId === task.taskId)).toEqual([expect.objectContaining({ responseCode: click.responseCode })]);
    expect(fakes.wecom.cards.replacedFor(task.taskId, 'lisi')).toMatch(/^已由 zhangsan 确认 \d\d:\d\d$/);
    expect((await group('SlowDisk')).group.acknowledgedBy).toBe('wecom:zhangsan');
  });

  it('an update WeCom refuses is not retried: the acknowledgement stands and the log says "card not updated: <hint>"', async () => {
    const task = await fire('NicDown');
    const calls = fakes.wecom.calls('message/update_template_card');
    fakes.wecom.failNext('message/update_template_card', 40058, 1, 'response_code has been used');
    await fakes.wecom.cards.click({ userId: 'lisi', taskId: task.taskId, eventKey: 'ack' });
    const { group: nic } = await group('NicDown');
    const row = await finalRow((r) => r.reason === 'acknowledged by lisi (card button)' && r.groupIds[0] === nic.id);
    expect(row).toMatchObject({ upstreamCode: '40058', retries: 0 });
    expect(row.error).toMatch(/^card not updated: response_code 无效、已用过或已超过 72 小时/);
    expect((await group('NicDown')).group.acknowledgedBy).toBe('wecom:lisi');
    await new Promise((r) => setTimeout(r, 200));
    expect(fakes.wecom.calls('message/update_template_card') - calls).toBe(1);
    expect(fakes.wecom.cards.replacedFor(task.taskId, 'zhangsan')).toBeUndefined();
  });

  it('an update WeCom applied but did not answer is not replayed (its code is spent) and is logged as unconfirmed, not "not updated"', async () => {
    const task = await fire('LinkFlap');
    const { group: flap } = await group('LinkFlap');
    const calls = fakes.wecom.calls('message/update_template_card');
    fakes.wecom.dropAfterApplying('message/update_template_card', 1);
    await fakes.wecom.cards.click({ userId: 'zhangsan', taskId: task.taskId, eventKey: 'ack' });
    const row = await finalRow((r) => r.groupIds[0] === flap.id && r.reason === 'acknowledged by zhangsan (card button)');
    expect(row).toMatchObject({ status: 'unconfirmed', retries: 0, upstreamCode: 'UPDATE_OUTCOME_UNKNOWN' });
    expect(row.error).toMatch(/^card update unconfirmed: 卡片可能已更新/);
    expect((await group('LinkFlap')).group.acknowledgedBy).toBe('wecom:zhangsan');
    // Past the first retry delays (kept short: other groups of this file must not repeat).
    fakes.clock.advance(15 * 60 * SEC);
    await gw.flush();
    expect(fakes.wecom.calls('message/update_template_card') - calls).toBe(1);
    expect(fakes.wecom.cards.replacedFor(task.taskId, 'lisi')).toMatch(/^已由 zhangsan 确认 \d\d:\d\d$/);
  });

  it('a waiting update survives a restart: the restarted gateway (same data dir) makes the try once due, and the card shows the line', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wxnotify-cards-restart-'));
    let first: (TestGateway & { flush(): Promise<number> }) | undefined;
    let second: (TestGateway & { flush(): Promise<number> }) | undefined;
    try {
      first = await startAlertGateway(fakes, { dataDir });
      const own = await first.createCode({ to: { users: ['zhangsan', 'wangwu'] } });
      await first.call('POST', `/api/alerts/${own.code}`, { version: '4', status: 'firing', alerts: [alert('RaidDegraded', 'db1')] }, { auth: false });
      fakes.clock.advance(10 * SEC);
      expect(await first.flush()).toBe(1);
      const task = [...fakes.wecom.cards.tasks.values()].at(-1)!;
      expect(task.touser).toEqual(['zhangsan', 'wangwu']);
      const calls = fakes.wecom.calls('message/update_template_card');
      fakes.wecom.failNext('message/update_template_card', -1, CLIENT_ATTEMPTS);
      await first.call('POST', `/api/alerts/${own.code}`, { version: '4', status: 'resolved', alerts: [{ ...alert('RaidDegraded', 'db1'), status: 'resolved', endsAt: '2026-08-01T02:00:00Z' }] }, { auth: false });
      fakes.clock.advance(5 * 60 * SEC);
      const line = `已恢复 ${hhmm(fakes.clock.now())}`;
      expect(await first.flush()).toBe(1);
      await until('the first try', () => fakes.wecom.calls('message/update_template_card') - calls === CLIENT_ATTEMPTS);
      await first.stop();
      expect(fakes.wecom.cards.replacedFor(task.taskId, 'wangwu')).toBeUndefined();

      second = await startAlertGateway(fakes, { dataDir });
      fakes.clock.advance(30 * SEC);
      await second.flush();
      expect(fakes.wecom.calls('message/update_template_card') - calls).toBe(CLIENT_ATTEMPTS + 1);
      for (const member of task.touser) expect(fakes.wecom.cards.replacedFor(task.taskId, member)).toBe(line);
      const res = await second.call('GET', '/admin/api/alerts/deliveries?limit=50');
      expect((res.json.deliveries as Array<Record<string, any>>).filter((r) => r.reason.startsWith('resolved:'))).toEqual([expect.objectContaining({ status: 'sent', retries: 1, title: line })]);
      // Done once: later rounds leave the accepted code alone.
      fakes.clock.advance(15 * 60 * SEC);
      await second.flush();
      expect(fakes.wecom.calls('message/update_template_card') - calls).toBe(CLIENT_ATTEMPTS + 1);
    } finally {
      await first?.stop();
      await second?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a card older than 72 h is not updated on resolve (its code has expired); the log says so and WeCom is not called', async () => {
    const quiet = await gw.createCode({ to: { users: ['zhangsan'] } });
    await fire('OldDisk', quiet);
    const { group: old } = await group('OldDisk', quiet);
    expect((await gw.call('POST', `/admin/api/alerts/groups/${old.id}/ack`, {})).status).toBe(200);
    fakes.clock.advance(73 * HOUR);
    const calls = fakes.wecom.calls('message/update_template_card');
    await resolve('OldDisk', quiet);
    const row = await finalRow((r) => r.groupIds[0] === old.id && r.reason.startsWith('resolved:'));
    expect(row).toMatchObject({ status: 'failed' });
    expect(row.error).toMatch(/^card not updated: response_code 已超过 72 小时/);
    expect(fakes.wecom.calls('message/update_template_card')).toBe(calls);
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

describe('alert card codes: migration 6', () => {
  /** A store as version 5 left it, with codes in the name/value table; then migrated. */
  const migrateKept = async (driver: SqlDriver) => {
    const store = new GatewayStore(driver);
    await driver.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    for (const step of [...migrations].filter((m) => m.version < 6).sort((a, b) => a.version - b.version)) {
      for (const sql of step.sql) await driver.exec(typeof sql === 'string' ? sql : sql[driver.dialect]);
      await driver.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [step.version, 'x']);
    }
    const sentAt = Date.UTC(2026, 7, 1, 2, 0, 0);
    const kept = [
      { taskId: 'wxa_g1_1', responseCode: 'rc-one', issuedAt: sentAt },
      { taskId: 'wxa_g1_2', responseCode: 'rc-two', issuedAt: sentAt + 4 * HOUR },
    ];
    await driver.run('INSERT INTO settings (name, value) VALUES (?, ?), (?, ?)', ['alert-card-codes:g1', JSON.stringify(kept), 'other', '1']);
    expect(await store.migrate()).toBe(migrations.filter((m) => m.version >= 6).length);
    expect(await driver.all(`SELECT name FROM settings ORDER BY name`)).toEqual([{ name: 'other' }]);
    const alerts = new AlertStore(driver);
    expect(await alerts.takeCardCodes('g1', sentAt + 5 * HOUR)).toEqual(kept);
    // Taken once: a second take (another replica, a second resolve) gets nothing.
    expect(await alerts.takeCardCodes('g1', sentAt + 5 * HOUR)).toEqual([]);
  };

  it('moves the codes kept in settings rows (alert-card-codes:<groupId>) into alert_card_codes (embedded store)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wxnotify-card-codes-'));
    const driver = new SqliteDriver(join(dir, 'wxnotify.db'));
    try {
      await migrateKept(driver);
    } finally {
      await driver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('… and on Postgres (skipped when Postgres is not installed)', async () => {
    const pg = startTempPostgres();
    if (!pg) return;
    const driver = await PostgresDriver.connect(pg.url);
    try {
      await migrateKept(driver);
    } finally {
      await driver.close();
      pg.stop();
    }
  }, 60_000);
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
