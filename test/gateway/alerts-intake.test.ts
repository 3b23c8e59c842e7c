import { alertFixture, channelCode, startAlertFakes, startAlertGateway, type AlertFakes } from './support/alert-gateway.js';
import type { TestGateway } from './support/test-gateway.js';

const SEC = 1000;
const MIN = 60 * SEC;

/** Intake and grouping over real HTTP, against the quota-enforcing robot fake, on a virtual clock. */
describe('POST /api/alerts/{code}', () => {
  let fakes: AlertFakes;
  let gw: TestGateway & { flush(): Promise<number> };
  let code: { id: string; code: string };
  beforeAll(async () => {
    fakes = await startAlertFakes();
    gw = await startAlertGateway(fakes);
  });
  afterAll(async () => {
    await gw?.close();
    await fakes?.close();
  });
  beforeEach(async () => {
    code = await channelCode(gw, 'ops');
  });
  const post = (body: unknown, query = '', init: Parameters<TestGateway['call']>[3] = { auth: false }) => gw.call('POST', `/api/alerts/${code.code}${query}`, body, init);
  const delivered = () => fakes.robot.delivered.map((d) => String(d.payload.content));

  it('stores an Alertmanager webhook, answers 200 at once and sends the group after groupWait', async () => {
    const before = fakes.robot.delivered.length;
    const res = await post(alertFixture('alertmanager-v4.json'));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ success: true, format: 'alertmanager', accepted: 2, groups: 1 });
    expect(await gw.flush()).toBe(0);
    fakes.clock.advance(9 * SEC);
    expect(await gw.flush()).toBe(0);
    fakes.clock.advance(1 * SEC);
    expect(await gw.flush()).toBe(1);
    const [content] = delivered().slice(before);
    expect(content).toContain('【告警 · critical】DiskFull');
    // The resolved alert was never announced as firing: it is not news.
    expect(content).toContain('db1:9100');
    expect(content).not.toContain('db2:9100');
  });

  it('Alertmanager re-posts every group_interval: unchanged → nothing until repeatInterval; new alert → a message', async () => {
    const body = { version: '4', status: 'firing', groupKey: 'k', alerts: [amAlert('HighLoad', 'web1')] };
    const highLoad = () => delivered().filter((c) => c.includes('HighLoad')).length;
    expect((await post(body)).status).toBe(200);
    fakes.clock.advance(10 * SEC);
    await gw.flush();
    expect(highLoad()).toBe(1);
    // 47 re-posts, 5 min apart (3 h 55 min): never a new message.
    for (let i = 0; i < 47; i++) {
      fakes.clock.advance(5 * MIN);
      await post(body);
      await gw.flush();
    }
    expect(highLoad()).toBe(1);
    fakes.clock.advance(5 * MIN);
    await post(body);
    await gw.flush();
    expect(highLoad()).toBe(2);
    // A new alert in the group: sent at the next groupInterval tick.
    await post({ ...body, alerts: [amAlert('HighLoad', 'web1'), amAlert('HighLoad', 'web2')] });
    await gw.flush();
    expect(highLoad()).toBe(2);
    fakes.clock.advance(5 * MIN);
    await gw.flush();
    expect(highLoad()).toBe(3);
    expect(delivered().at(-1)).toContain('web2');
  });

  it('resolved: one resolved message, then the group closes; fire-and-resolve inside groupWait sends nothing', async () => {
    const firing = { version: '4', status: 'firing', alerts: [amAlert('DiskSlow', 'db7')] };
    await post(firing);
    fakes.clock.advance(10 * SEC);
    expect(await gw.flush()).toBe(1);
    await post({ ...firing, status: 'resolved', alerts: [amAlert('DiskSlow', 'db7', 'resolved')] });
    fakes.clock.advance(5 * MIN);
    expect(await gw.flush()).toBe(1);
    expect(delivered().at(-1)).toContain('【已恢复】DiskSlow');
    expect(delivered().at(-1)).toContain('持续');
    fakes.clock.advance(5 * MIN);
    expect(await gw.flush()).toBe(0);
    const history = await gw.call('GET', '/admin/api/alerts?state=resolved');
    expect(history.json.groups.some((g: { groupKey: string }) => g.groupKey === '{alertname="DiskSlow"}')).toBe(true);

    await post({ version: '4', status: 'firing', alerts: [amAlert('Flap', 'x')] });
    fakes.clock.advance(3 * SEC);
    await post({ version: '4', status: 'resolved', alerts: [amAlert('Flap', 'x', 'resolved')] });
    fakes.clock.advance(10 * SEC);
    expect(await gw.flush()).toBe(0);
  });

  it('plain JSON (one or a list) and Grafana; ?format forces a format; groups coalesce into one digest', async () => {
    const before = fakes.robot.delivered.length;
    expect((await post([{ title: 'Backup failed', content: 'nas exit 2', severity: 'critical' }, { title: 'Cert expiring', content: '7 days left' }])).json).toMatchObject({ format: 'json', accepted: 2, groups: 2 });
    expect((await post(alertFixture('grafana-v1.json'))).json).toMatchObject({ format: 'grafana', accepted: 1 });
    expect((await post(alertFixture('grafana-v1.json'), '?format=json')).status).toBe(400);
    fakes.clock.advance(10 * SEC);
    expect(await gw.flush()).toBe(1);
    expect(fakes.robot.delivered.length - before).toBe(1);
    const digest = delivered().at(-1)!;
    expect(digest).toContain('【告警汇总】3 组');
    for (const text of ['nas exit 2', '7 days left', 'CPU above 90%']) expect(digest).toContain(text);
    const metrics = await gw.call('GET', '/metrics', undefined, { auth: false });
    expect(metrics.text).toMatch(/wxnotify_alerts_received_total\{format="grafana"\} \d+/);
    expect(metrics.text).toMatch(/wxnotify_alert_notifications_coalesced_total \d+/);
    expect(metrics.text).toMatch(/wxnotify_alert_groups_active \d+/);
  });

  it('a custom template per Code (core template engine), English and a time zone; bad templates are refused naming the field', async () => {
    const bad = await gw.call('PUT', `/admin/api/alerts/settings/${code.id}`, { template: { content: '{{oops.x}}' } });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain('alerts.template');
    const ok = await gw.call('PUT', `/admin/api/alerts/settings/${code.id}`, { language: 'en', timeZone: 'UTC', template: { content: 'OPS {{alert.statusText}} {{alert.title}} at {{alert.first.startsAt}}\n{{alert.list}}' } });
    expect(ok.status).toBe(200);
    await post({ title: 'TplCheck', content: 'templated', startsAt: '2026-08-01T01:30:00Z' });
    fakes.clock.advance(10 * SEC);
    await gw.flush();
    const content = delivered().at(-1)!;
    expect(content).toContain('OPS FIRING TplCheck at 2026-08-01 01:30:00');
    expect(content).toContain('templated');
  });

  it('bad payloads get a 400 naming the field; unknown Codes 404; API key + Code id works, a bad key is 401', async () => {
    const bad = alertFixture('alertmanager-v4.json');
    bad.alerts[0].startsAt = 'soon';
    const res = await post(bad);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ success: false, code: 'INVALID_ALERT_PAYLOAD', field: 'alerts[0].startsAt' });
    expect((await post({ content: 'no title' })).json.field).toBe('title');
    expect((await post({}, '?format=xml')).json.field).toBe('format');
    expect((await gw.call('POST', '/api/alerts/wxc_nope', { title: 't', content: 'c' }, { auth: false })).status).toBe(404);
    expect((await gw.call('POST', `/api/alerts/${code.id}`, { title: 't', content: 'c' })).status).toBe(200);
    expect((await gw.call('POST', `/api/alerts/${code.id}`, { title: 't', content: 'c' }, { auth: false })).status).toBe(404);
    expect((await post({ title: 't', content: 'c' }, '', { auth: false, headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    // The Code in the path never reaches the log.
    expect(gw.logs.some((line) => line.includes('/api/alerts/'))).toBe(true);
    expect(gw.logs.join('\n')).not.toContain(code.code);
  });
});

function amAlert(name: string, instance: string, status: 'firing' | 'resolved' = 'firing') {
  return {
    status,
    labels: { alertname: name, instance, severity: 'warning' },
    annotations: { summary: `${name} on ${instance}` },
    startsAt: '2026-08-01T01:00:00Z',
    endsAt: status === 'resolved' ? '2026-08-01T03:00:00Z' : '0001-01-01T00:00:00Z',
    generatorURL: 'http://prom.example:9090/graph',
    fingerprint: `${name}-${instance}`.toLowerCase().replace(/[^a-z0-9-]/g, ''),
  };
}
