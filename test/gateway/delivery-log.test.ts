import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertStore, startedDelivery, type DeliveryRow } from '../../gateway/src/alerts/alert-store.js';
import { ConfigError, loadConfig } from '../../gateway/src/config.js';
import { deliveryTitle } from '../../gateway/src/store/delivery-log.js';
import { SqliteDriver } from '../../gateway/src/store/sqlite-driver.js';
import { GatewayStore } from '../../gateway/src/store/store.js';
import { alertFixture, channelCode, startAlertFakes, startAlertGateway, type AlertFakes } from './support/alert-gateway.js';
import { TEST_API_KEY, type TestGateway } from './support/test-gateway.js';
import { until } from './support/until.js';

type Gateway = TestGateway & { flush(): Promise<number> };

async function deliveries(gw: Gateway, q?: string): Promise<any[]> {
  const res = await gw.call('GET', `/admin/api/alerts/deliveries${q ? `?q=${encodeURIComponent(q)}` : ''}`);
  expect(res.status).toBe(200);
  return res.json.deliveries;
}

function outboxReaches(gw: Gateway, id: string, status: string): Promise<true> {
  return until(async () => ((await gw.call('GET', `/api/outbox/${id}`)).json.status === status ? true : undefined), `outbox entry ${status}`);
}

/** The page's Delivery log holds every message the gateway sent, not only alerts (real gateway, fake upstreams). */
describe('delivery log of every send', () => {
  let fakes: AlertFakes;
  let gw: Gateway;
  let code: { id: string; code: string };

  beforeAll(async () => {
    fakes = await startAlertFakes();
    gw = await startAlertGateway(fakes, { env: { WXNOTIFY_OUTBOX_POLL_MS: '20' } });
    code = await gw.createCode({ name: 'ops app' });
  }, 30_000);

  afterAll(async () => {
    await gw?.close();
    await fakes?.close();
  });

  it('lists Code sends, named-channel sends (sync and async), test sends and personal-WeChat sends', async () => {
    expect((await gw.call('POST', `/api/notify/${code.code}`, { title: '磁盘告警', content: 'web-01 disk 91%' }, { auth: false })).status).toBe(200);
    expect((await gw.call('POST', '/api/channels/ops/send', { title: 'Deploy v1.2.3', content: 'live' })).status).toBe(200);
    const accepted = await gw.call('POST', '/api/channels/ops/send?async=true', { title: 'Nightly backup', content: 'done' });
    expect(accepted.status).toBe(202);
    expect((await gw.call('POST', `/admin/api/codes/${code.id}/test`, { title: 'Page test' })).status).toBe(200);
    expect((await gw.call('POST', '/api/notify', { wxid: 'wxid_friend_a', title: 'Backup', content: '备份完成' })).status).toBe(200);
    await outboxReaches(gw, accepted.json.id, 'sent');

    const rows = await deliveries(gw);
    const byTitle = Object.fromEntries(rows.map((r) => [r.title, r]));
    expect(byTitle['磁盘告警']).toMatchObject({ receiver: 'ops app', channel: 'wecom-app', codeId: code.id, status: 'sent', parts: 1, upstreamCode: '0', reason: 'POST /api/notify/{code}', resendable: true });
    expect(byTitle['Deploy v1.2.3']).toMatchObject({ receiver: 'ops', channel: 'wecom-bot', codeId: '', status: 'sent', reason: 'POST /api/channels/{name}/send' });
    expect(byTitle['Page test']).toMatchObject({ receiver: 'ops app', channel: 'wecom-app', status: 'sent', reason: 'test send (admin page)' });
    expect(byTitle.Backup).toMatchObject({ receiver: 'wechat', channel: 'gewechat', status: 'sent', recipients: 'wxid_friend_a', reason: 'POST /api/notify' });
    // The async row is the outbox entry: queued when accepted, settled by the worker.
    expect(byTitle['Nightly backup']).toMatchObject({ id: accepted.json.id, status: 'sent', parts: 1, reason: 'POST /api/channels/{name}/send (async)' });
    expect(rows.every((r) => typeof r.createdAt === 'string' && !('notification' in r))).toBe(true);
    expect((await deliveries(gw, 'nightly')).map((r) => r.title)).toEqual(['Nightly backup']);
  });

  it('a failed send, synchronous or from the outbox, shows the NotifyError code and its hint', async () => {
    fakes.robot.failNext(93000);
    const failed = await gw.call('POST', '/api/channels/ops/send', { title: 'Robot down', content: 'x' });
    expect(failed.status).toBeGreaterThanOrEqual(400);
    const [row] = await deliveries(gw, 'Robot down');
    expect(row).toMatchObject({ status: 'failed', upstreamCode: String(failed.json.code), resendable: true });
    expect(row.hint).toBe(failed.json.hint);
    expect(row.hint).toBeTruthy();
    expect(row.error).toBeTruthy();

    fakes.robot.failNext(93000, 1);
    const accepted = await gw.call('POST', '/api/channels/ops/send?async=true', { title: 'Async robot down', content: 'x' });
    expect(accepted.status).toBe(202);
    await outboxReaches(gw, accepted.json.id, 'failed');
    const [asyncRow] = await deliveries(gw, 'Async robot down');
    expect(asyncRow).toMatchObject({ status: 'failed', upstreamCode: '93000', resendable: true });
    expect(asyncRow.hint).toBeTruthy();
  });

  it('resends a logged Code send through the same Code, as a new row', async () => {
    const [row] = await deliveries(gw, '磁盘告警');
    const before = fakes.wecom.delivered.length;
    const res = await gw.call('POST', `/admin/api/alerts/deliveries/${row.id}/resend`);
    expect(res.status).toBe(200);
    expect(res.json.success).toBe(true);
    expect(fakes.wecom.delivered.length).toBe(before + 1);
    expect(JSON.stringify(fakes.wecom.delivered.at(-1)!.payload)).toContain('web-01 disk 91%');
    const again = (await deliveries(gw, '磁盘告警')).find((r) => r.id === res.json.deliveryId);
    expect(again).toMatchObject({ resendOf: row.id, status: 'sent', receiver: 'ops app' });
  });

  it('holds no secrets: no Code, key or app secret, and titles are masked and cut short', async () => {
    const long = `see https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${fakes.robot.key} and /api/notify/${code.code} ${'x'.repeat(300)}`;
    expect((await gw.call('POST', `/api/notify/${code.code}`, { title: long, content: 'y' }, { auth: false })).status).toBe(200);
    const rows = await deliveries(gw);
    const text = JSON.stringify(rows);
    for (const secret of [code.code, fakes.robot.key, TEST_API_KEY, fakes.wecom.credentials.corpSecret]) expect(text).not.toContain(secret);
    const masked = rows.find((r) => r.title.startsWith('see https://'));
    expect(masked.title).toContain('key=***');
    expect(masked.title.length).toBeLessThanOrEqual(120);
  });
});

describe('delivery log retention', () => {
  it('keeps the newest WXNOTIFY_DELIVERY_LOG_MAX_ROWS rows, none older than WXNOTIFY_DELIVERY_LOG_DAYS', async () => {
    const fakes = await startAlertFakes();
    const gw = await startAlertGateway(fakes, { env: { WXNOTIFY_DELIVERY_LOG_MAX_ROWS: '3', WXNOTIFY_DELIVERY_LOG_DAYS: '1' } });
    try {
      for (let i = 1; i <= 5; i++) {
        fakes.clock.advance(1000);
        expect((await gw.call('POST', '/api/channels/ops/send', { title: `keep ${i}`, content: 'x' })).status).toBe(200);
      }
      expect((await deliveries(gw)).map((r) => r.title)).toEqual(['keep 5', 'keep 4', 'keep 3']);
      fakes.clock.advance(2 * 24 * 3600_000);
      expect((await gw.call('POST', '/api/channels/ops/send', { title: 'two days later', content: 'x' })).status).toBe(200);
      expect((await deliveries(gw)).map((r) => r.title)).toEqual(['two days later']);
    } finally {
      await gw.close();
      await fakes.close();
    }
  });
});

/** An AlertStore on a fresh embedded store (real SQLite in a temp dir). */
async function withEmbeddedStore(fn: (alerts: AlertStore, store: GatewayStore) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wxnotify-dlog-'));
  const store = new GatewayStore(new SqliteDriver(join(dir, 'wxnotify.db')));
  try {
    await store.migrate();
    await fn(new AlertStore(store.driver), store);
  } finally {
    await store.driver.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('delivery log rows on the embedded store', () => {
  it('writes a batch of many rows as one JSON parameter and reads every value back unchanged (unicode, quotes, escapes)', () =>
    withEmbeddedStore(async (alerts, store) => {
    const odd = ['磁盘告警 "quoted" \\ back\\slash', "it's 🚨🔥 emoji", 'tab\tnew\nline\r\u2028\u2029', '{"looks":"like json"}', '\\u0041 not an escape', 'ключ ✓ العربية'];
    const rows: DeliveryRow[] = Array.from({ length: 1500 }, (_, i) => {
      const text = `${odd[i % odd.length]} #${i}`;
      return Object.assign(
        startedDelivery({ id: `b-${i}`, codeId: i % 2 ? `code-${i}` : '', receiver: text, channel: 'wecom-app', recipients: i % 3 ? { users: [text, 'zhangsan'] } : null, groupIds: i % 4 ? [] : [`g-${i}`], title: text, reason: 'POST /api/notify/{code}', notification: JSON.stringify({ target: 'code:x', notification: { title: text, content: text } }), alerts: i % 5, coalesced: i % 7, hint: i % 2 ? `请检查 "${text}"` : null, resendOf: i % 9 ? null : `r-${i}`, createdAt: 1_767_000_000_000 + i }),
        { status: 'failed' as const, parts: i % 3, upstreamCode: i % 2 ? '60020' : null, retries: i % 4, error: i % 2 ? `errmsg: ${text}` : null, messageIds: i % 2 ? [`m-${i}`] : [], updatedAt: 1_767_000_000_000 + 2 * i },
      );
    });
    await alerts.addDeliveries(rows);
    for (const row of [rows[0], rows[1], rows[2], rows[3], rows[4], rows[5], rows[1499]]) expect(await alerts.getDelivery(row.id)).toEqual({ ...row, hint: row.hint ?? null });
    const listed = await alerts.listDeliveries({ limit: 2000 });
    expect(listed).toHaveLength(1500);
    expect(listed.map((r) => r.title)).toEqual(rows.map((r) => r.title).reverse());
    // Stored with the same SQL types as bound values: integers stay integers, absent values are NULL.
    const [types] = await store.driver.all("SELECT typeof(created_at) AS at, typeof(alerts) AS alerts, typeof(upstream_code) AS code, typeof(hint) AS hint, typeof(title) AS title FROM alert_deliveries WHERE id = 'b-0'");
    expect(types).toEqual({ at: 'integer', alerts: 'integer', code: 'null', hint: 'null', title: 'text' });
    }));

  it('keeps exactly the newest rows in the list order (newest first, then by id), also among rows of one instant', () =>
    withEmbeddedStore(async (alerts) => {
    // 60 rows over 6 instants, 10 rows each: the edge falls inside an instant.
    const rows: DeliveryRow[] = Array.from({ length: 60 }, (_, i) =>
      startedDelivery({ id: `row-${String((i * 37) % 60).padStart(2, '0')}`, codeId: '', receiver: 'ops', channel: 'wecom-bot', recipients: null, groupIds: [], title: `t${i}`, reason: 'test', notification: '{}', alerts: 0, coalesced: 0, resendOf: null, createdAt: 1000 + Math.floor(i / 10) }),
    );
    await alerts.addDeliveries(rows);
    const listed = (await alerts.listDeliveries({ limit: 100 })).map((r) => r.id);
    expect(await alerts.pruneDeliveries(0, 23)).toBe(37);
    expect((await alerts.listDeliveries({ limit: 100 })).map((r) => r.id)).toEqual(listed.slice(0, 23));
    // The age limit applies too; nothing past the edge when fewer rows are kept.
    expect(await alerts.pruneDeliveries(1005, 23)).toBe(13);
    expect(await alerts.pruneDeliveries(0, 23)).toBe(0);
    expect((await alerts.listDeliveries({ limit: 100 })).map((r) => r.id)).toEqual(listed.slice(0, 10));
    }));

  it('a title cut short never ends in half an emoji', () => {
    expect(deliveryTitle({ title: `${'x'.repeat(119)}🚨 disk`, content: '' }, 120)).toBe('x'.repeat(119));
    expect(deliveryTitle({ title: `${'x'.repeat(118)}🚨 disk`, content: '' }, 120)).toBe(`${'x'.repeat(118)}🚨`);
  });
});

describe('WXNOTIFY_DELIVERY_LOG', () => {
  it('is all, alerts or off; any other value stops the start with the variable named', () => {
    expect(loadConfig({}).deliveryLog.mode).toBe('all');
    expect(loadConfig({ WXNOTIFY_DELIVERY_LOG: 'Alerts' }).deliveryLog.mode).toBe('alerts');
    expect(() => loadConfig({ WXNOTIFY_DELIVERY_LOG: 'none' })).toThrow(ConfigError);
    expect(() => loadConfig({ WXNOTIFY_DELIVERY_LOG: 'none' })).toThrow(/WXNOTIFY_DELIVERY_LOG must be all, alerts or off/);
  });

  for (const mode of ['alerts', 'off'] as const) {
    it(`${mode}: Code and channel sends are delivered but not logged; alert rows ${mode === 'alerts' ? 'are' : 'are not'}`, async () => {
      const fakes = await startAlertFakes();
      const gw = await startAlertGateway(fakes, { env: { WXNOTIFY_DELIVERY_LOG: mode, WXNOTIFY_OUTBOX_POLL_MS: '20' } });
      try {
        const code = await gw.createCode({ name: 'ops app' });
        const sentBefore = fakes.wecom.delivered.length + fakes.robot.delivered.length;
        expect((await gw.call('POST', `/api/notify/${code.code}`, { title: '磁盘告警', content: 'web-01' }, { auth: false })).status).toBe(200);
        expect((await gw.call('POST', '/api/channels/ops/send', { title: 'Deploy', content: 'live' })).status).toBe(200);
        const accepted = await gw.call('POST', '/api/channels/ops/send?async=true', { title: 'Nightly backup', content: 'done' });
        expect(accepted.status).toBe(202);
        await outboxReaches(gw, accepted.json.id, 'sent');
        const intake = await channelCode(gw, 'ops');
        expect((await gw.call('POST', `/api/alerts/${intake.code}`, alertFixture('alertmanager-v4.json'), { auth: false })).status).toBe(200);
        fakes.clock.advance(10_000);
        expect(await gw.flush()).toBe(1);
        expect(fakes.wecom.delivered.length + fakes.robot.delivered.length).toBe(sentBefore + 4);

        const rows = await deliveries(gw);
        // With `alerts` the alert group's message is the one row kept; with `off` there is none.
        expect(rows.map((r) => r.reason)).toEqual(mode === 'alerts' ? ['first notification'] : []);
      } finally {
        await gw.close();
        await fakes.close();
      }
    });
  }
});
