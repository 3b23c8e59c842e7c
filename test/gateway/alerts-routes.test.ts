import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeRobot, FakeWeCom } from '../fakes/wecom/index.js';
import { alertFixture, channelCode, startAlertFakes, startAlertGateway, type AlertFakes } from './support/alert-gateway.js';
import type { TestGateway } from './support/test-gateway.js';

const SEC = 1000;
const MIN = 60 * SEC;
const dir = mkdtempSync(join(tmpdir(), 'wxnotify-routes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function routesFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const ROUTES = `
receivers:
  - name: oncall
    channel: oncall
  - name: db-app
    channel: dbapp
    to: [zhangsan]
route:
  group_wait: 5s
  routes:
    - matchers: ['team="db"']
      receiver: db-app
      fallback: oncall
    - matchers: ['severity=~"critical|page"', 'env!~"dev|test"']
      receiver: oncall
      continue: true
    - matchers: ['env!="prod"']
      group_by: [env]
`;

describe('routes file (WXNOTIFY_ALERT_ROUTES_FILE)', () => {
  let fakes: AlertFakes;
  let oncall: FakeRobot;
  let untrusted: FakeWeCom;
  let gw: TestGateway & { flush(): Promise<number> };
  let code: string;
  beforeAll(async () => {
    fakes = await startAlertFakes();
    oncall = await FakeRobot.start({ clock: fakes.clock });
    // An app whose calls all fail for good (60020: the gateway's IP is not trusted).
    untrusted = await FakeWeCom.start({ clock: fakes.clock, trustedIps: ['10.9.9.9'] });
    gw = await startAlertGateway(fakes, {
      env: { WXNOTIFY_ALERT_ROUTES_FILE: routesFile('routes.yaml', ROUTES) },
      extraChannels: () => ({
        ops: { type: 'wecom-bot', key: fakes.robot.key, baseUrl: fakes.robot.url },
        oncall: { type: 'wecom-bot', key: oncall.key, baseUrl: oncall.url },
        dbapp: { type: 'wecom-app', ...untrusted.credentials, baseUrl: untrusted.url },
      }),
    });
    code = (await channelCode(gw, 'ops')).code;
  });
  afterAll(async () => {
    await gw?.close();
    await Promise.all([fakes?.close(), oncall?.close(), untrusted?.close()]);
  });
  const post = (alerts: unknown[]) => gw.call('POST', `/api/alerts/${code}`, alerts, { auth: false });
  const text = (robot: FakeRobot) => robot.delivered.map((d) => String(d.payload.content)).join('\n====\n');

  it('first match, continue, the root as default (the posting Code), route group_by and group_wait', async () => {
    expect(
      (
        await post([
          { title: 'ApiDown', content: 'api 5xx', severity: 'critical', labels: { env: 'prod', team: 'web' } },
          { title: 'ApiSlow', content: 'p99 2s', severity: 'warning', labels: { env: 'prod', team: 'web' } },
          { title: 'DevDown', content: 'dev box', severity: 'warning', labels: { env: 'dev' } },
          { title: 'DevDown2', content: 'dev box 2', severity: 'warning', labels: { env: 'dev' } },
        ])
      ).status,
    ).toBe(200);
    fakes.clock.advance(5 * SEC);
    await gw.flush();
    expect(text(oncall)).toContain('api 5xx');
    expect(text(oncall)).not.toContain('p99 2s');
    // First match: the critical alert matched a child route, so the root (the posting Code) did not get it.
    expect(text(fakes.robot)).not.toContain('api 5xx');
    // No child matched the warning: the root's receiver is the Code it was posted to.
    expect(text(fakes.robot)).toContain('p99 2s');
    // group_by [env]: both dev alerts in one group, one message.
    const devMessages = fakes.robot.delivered.filter((d) => String(d.payload.content).includes('dev box'));
    expect(devMessages).toHaveLength(1);
    expect(String(devMessages[0]!.payload.content)).toContain('dev box 2');
  });

  it('a permanent failure (app 60020) goes to the route fallback, and both show in the delivery log', async () => {
    await post([{ title: 'DbDown', content: 'primary gone', severity: 'critical', labels: { team: 'db', env: 'prod' } }]);
    fakes.clock.advance(5 * SEC);
    await gw.flush();
    expect(untrusted.delivered).toHaveLength(0);
    expect(text(oncall)).toContain('primary gone');
    const log = await gw.call('GET', '/admin/api/alerts/deliveries?q=DbDown');
    const rows = log.json.deliveries as Array<Record<string, any>>;
    expect(rows.map((r) => [r.status, r.channel, r.upstreamCode])).toEqual(
      expect.arrayContaining([
        ['failed', 'wecom-app', '60020'],
        ['sent', 'wecom-bot', '0'],
      ]),
    );
    expect(rows.find((r) => r.status === 'sent')!.reason).toContain('fallback after 60020');
  });

  it('is validated at start with the path of the bad entry', async () => {
    const cases: Array<[string, RegExp]> = [
      [`route:\n  routes:\n    - matchers: ['team=~"("']\n`, /route\.routes\[0\]\.matchers\[0\]/],
      [`route:\n  receiver: nobody\n`, /route\.receiver: "nobody" is not a receiver/],
      [`receivers:\n  - name: x\n    channel: missing\nroute:\n  receiver: x\n`, /receivers\.x: channel "missing" is not configured/],
      [`route:\n  group_wait: soon\n`, /groupWait/],
      [`route: [\n`, /not valid YAML/],
    ];
    for (const [i, [yaml, message]] of cases.entries()) {
      await expect(startAlertGateway(fakes, { env: { WXNOTIFY_ALERT_ROUTES_FILE: routesFile(`bad${i}.yaml`, yaml) } })).rejects.toThrow(message);
    }
    await expect(startAlertGateway(fakes, { env: { WXNOTIFY_ALERT_ROUTES_FILE: routesFile('bad.json', '{"route": {"continue": "yes"}}') } })).rejects.toThrow(/route\.continue/);
  });
});

describe('routes to a Code by name', () => {
  it('a receiver naming a Code delivers through that Code (its channel and recipients)', async () => {
    const fakes = await startAlertFakes();
    const first = await startAlertGateway(fakes);
    const dataDir = first.dataDir;
    try {
      await first.createCode({ name: 'DB oncall' });
      const intake = await channelCode(first, 'ops', { name: 'intake' });
      await first.stop();
      const routes = routesFile('by-code.yaml', `receivers:\n  - name: db\n    code: DB oncall\nroute:\n  routes:\n    - matchers: ['team="db"']\n      receiver: db\n`);
      const gw = await startAlertGateway(fakes, { dataDir, env: { WXNOTIFY_ALERT_ROUTES_FILE: routes } });
      try {
        await gw.call('POST', `/api/alerts/${intake.code}`, [{ title: 'DbLag', content: 'replica lag 30s', labels: { team: 'db' } }], { auth: false });
        fakes.clock.advance(10 * SEC);
        await gw.flush();
        expect(JSON.stringify(fakes.wecom.delivered.at(-1)?.payload ?? {})).toContain('DbLag');
        expect(fakes.wecom.delivered.at(-1)!.touser).toEqual(['zhangsan']);
        expect(fakes.robot.delivered.some((d) => String(d.payload.content).includes('DbLag'))).toBe(false);
      } finally {
        await gw.stop();
      }
      await expect(startAlertGateway(fakes, { dataDir, env: { WXNOTIFY_ALERT_ROUTES_FILE: routesFile('no-code.yaml', 'receivers:\n  - name: db\n    code: nobody\nroute:\n  receiver: db\n') } })).rejects.toThrow(/receivers\.db: no active Code/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      await fakes.close();
    }
  });
});

describe('silences and acknowledgements', () => {
  let fakes: AlertFakes;
  let gw: TestGateway & { flush(): Promise<number> };
  let code: { id: string; code: string };
  beforeAll(async () => {
    fakes = await startAlertFakes();
    gw = await startAlertGateway(fakes);
    code = await channelCode(gw, 'ops');
  });
  afterAll(async () => {
    await gw?.close();
    await fakes?.close();
  });
  const post = (path: string, body: unknown) => gw.call('POST', `/api/alerts/${code.code}${path}`, body, { auth: false });
  const sentAbout = (word: string) => fakes.robot.delivered.filter((d) => String(d.payload.content).includes(word)).length;

  it('a silence mutes matching alerts until it ends; bad silences name the field', async () => {
    const silence = await post('/silence', { matchers: ['alertname="Noisy"', 'instance=~"web.*"'], duration: '1h', comment: 'deploy' });
    expect(silence.status).toBe(201);
    expect(silence.json).toMatchObject({ matchers: ['alertname="Noisy"', 'instance=~"web.*"'], active: true, comment: 'deploy' });
    await post('', [{ title: 'Noisy', content: 'web one', labels: { instance: 'web1' } }]);
    fakes.clock.advance(10 * SEC);
    await gw.flush();
    expect(sentAbout('web one')).toBe(0);
    fakes.clock.advance(60 * MIN);
    await post('', [{ title: 'Noisy', content: 'web one', labels: { instance: 'web1' } }]);
    await gw.flush();
    expect(sentAbout('web one')).toBe(1);
    expect((await post('/silence', { matchers: [], duration: '1h' })).json.field).toBe('matchers');
    expect((await post('/silence', { matchers: ['a~b'], duration: '1h' })).json.field).toBe('matchers[0]');
    expect((await post('/silence', { matchers: ['a="b"'], duration: 'forever' })).json.field).toBe('duration');
    const metrics = await gw.call('GET', '/metrics', undefined, { auth: false });
    expect(metrics.text).toMatch(/wxnotify_alert_notifications_suppressed_total\{reason="silenced"\} [1-9]/);
  });

  it('an acknowledged group stops repeating; a new alert in it is still sent', async () => {
    const settings = await gw.call('PUT', `/admin/api/alerts/settings/${code.id}`, { repeatInterval: '30m' });
    expect(settings.json.settings).toMatchObject({ repeatInterval: '1800s', groupWait: '10s', groupInterval: '300s' });
    expect((await gw.call('PUT', `/admin/api/alerts/settings/${code.id}`, { repeatInterval: 'often' })).status).toBe(400);
    const alert = (instance: string) => ({ title: 'DiskAck', content: `disk ${instance}`, labels: { instance } });
    await post('', [alert('db1')]);
    fakes.clock.advance(10 * SEC);
    await gw.flush();
    expect(sentAbout('disk db1')).toBe(1);
    const ack = await post('/ack', { groupKey: '{alertname="DiskAck"}', by: 'zhangsan' });
    expect(ack.status).toBe(200);
    expect(ack.json.group).toMatchObject({ acknowledgedBy: 'zhangsan' });
    for (let i = 0; i < 8; i++) {
      fakes.clock.advance(5 * MIN);
      await post('', [alert('db1')]);
      await gw.flush();
    }
    expect(sentAbout('disk db1')).toBe(1);
    await post('', [alert('db1'), alert('db2')]);
    fakes.clock.advance(5 * MIN);
    await gw.flush();
    expect(sentAbout('disk db2')).toBe(1);
    expect((await post('/ack', { groupKey: '{alertname="Nope"}' })).json.field).toBe('groupKey');
  });
});

describe('durability', () => {
  it('a restart during groupWait still sends the group', async () => {
    const fakes = await startAlertFakes();
    const first = await startAlertGateway(fakes);
    const dataDir = first.dataDir;
    try {
      const { code } = await channelCode(first, 'ops');
      expect((await first.call('POST', `/api/alerts/${code}`, alertFixture('alertmanager-v4.json'), { auth: false })).status).toBe(200);
      fakes.clock.advance(4 * SEC);
      await first.stop();
      const second = await startAlertGateway(fakes, { dataDir });
      try {
        fakes.clock.advance(6 * SEC);
        expect(await second.flush()).toBe(1);
        expect(String(fakes.robot.delivered.at(-1)!.payload.content)).toContain('DiskFull');
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      await fakes.close();
    }
  });
});
