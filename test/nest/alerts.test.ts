import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Body, Controller, HttpCode, Inject, Module, Post, Query, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { groupAlerts, parseAlerts, renderAlertGroup } from '@wxnotify/core';
import { NotifyAlerts, NotifyModule, NotifyService } from '@wxnotify/nestjs';
import { startFakeRobot, type FakeRobot } from '../fakes/wecom';
import { postJson } from './fixtures/add-user.app';
import { waitFor } from './support/wait';
import { VirtualClock } from '../support/virtual-clock';

const alertmanager = JSON.parse(readFileSync(path.join(process.cwd(), 'test/fixtures/alerts/alertmanager-v4.json'), 'utf8')) as Record<string, unknown>;

/** An app that receives Alertmanager / Grafana webhooks itself. */
@Controller()
class AlertsController {
  constructor(@Inject(NotifyAlerts) private readonly alerts: NotifyAlerts) {}

  @Post('alerts')
  @HttpCode(202)
  receive(@Body() body: unknown, @Query('digest') digest?: string) {
    return this.alerts.dispatch(body, { groupBy: ['alertname', 'instance'], digest: digest === '1' });
  }

  @Post('alerts/custom')
  @HttpCode(202)
  custom(@Body() body: unknown) {
    return this.alerts.dispatch(body, { template: '{{group.heading}} | {{group.countsText}} | {{ group.alerts.0.startsAt }} | 收到 {{ now | time }}' });
  }
}

describe('NotifyAlerts: the core alert renderer for apps that receive alert webhooks (real Nest app over HTTP)', () => {
  let robot: FakeRobot;
  let app: INestApplication;
  let url: string;
  const clock = new VirtualClock(Date.UTC(2026, 7, 1, 10, 5, 0));

  beforeEach(async () => {
    robot = await startFakeRobot();
    @Module({
      imports: [NotifyModule.forRoot({ channels: { team: { type: 'wecom-bot', key: robot.key, baseUrl: robot.url } }, deps: { clock, retry: { maxAttempts: 1 } } })],
      controllers: [AlertsController],
    })
    class AlertsApp {}
    app = await NestFactory.create(AlertsApp, { logger: false });
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });

  afterEach(async () => {
    await app.close();
    await robot.close();
  });

  it('renders each group exactly as the core renders it for the channel type, and sends it', async () => {
    const res = await postJson(`${url}/alerts`, alertmanager);
    expect(res.status).toBe(202);
    expect(JSON.parse(res.body.toString())).toEqual({ accepted: 2, messages: 2 });
    await waitFor(() => robot.delivered.length === 2, 'two robot messages');
    const groups = groupAlerts(parseAlerts(alertmanager, { now: clock.now() }).alerts, ['alertname', 'instance']);
    const expected = groups.map((g) => renderAlertGroup(g, { channel: 'wecom-bot' }).content);
    expect(robot.delivered.map((d) => d.payload.content).sort()).toEqual([...expected].sort());
    expect(robot.delivered.every((d) => d.msgtype === 'markdown')).toBe(true);
    // Shanghai time: 10:00:00Z is 18:00:00.
    expect(expected.join('\n')).toContain('2026-08-01 18:00:00');
    await waitFor(() => app.get(NotifyService).stats().pending === 0, 'the sends to settle');
    expect(app.get(NotifyService).stats()).toMatchObject({ sent: 2, failed: 0 });
  });

  it('a digest puts every group in one message', async () => {
    expect(JSON.parse((await postJson(`${url}/alerts?digest=1`, alertmanager)).body.toString())).toEqual({ accepted: 2, messages: 1 });
    await waitFor(() => robot.delivered.length === 1, 'one digest');
    expect(String(robot.delivered[0].payload.content)).toContain('【告警汇总】2 组 · 2 条');
  });

  it('custom templates read the core view of the group, in the module time zone', async () => {
    await postJson(`${url}/alerts/custom`, alertmanager);
    await waitFor(() => robot.delivered.length === 1, 'the custom message');
    expect(groupAlerts(parseAlerts(alertmanager).alerts)[0].alerts).toHaveLength(2);
    expect(String(robot.delivered[0].payload.content)).toMatch(/^【告警 · critical】DiskFull \| 共 2 条：告警中 1，已恢复 1 \| 2026-08-01 18:00:00 \| 收到 18:05:00$/);
  });

  it('a bad payload is a 400 naming the field, and nothing is sent', async () => {
    const bad = { ...alertmanager, alerts: [{ ...(alertmanager.alerts as object[])[0], labels: 'not-an-object' }] };
    const res = await postJson(`${url}/alerts`, bad);
    expect(res.status).toBe(400);
    const body = JSON.parse(res.body.toString()) as Record<string, unknown>;
    expect(body).toMatchObject({ statusCode: 400, error: 'INVALID_ALERT_PAYLOAD', field: 'alerts[0].labels' });
    await new Promise((r) => setTimeout(r, 50));
    expect(robot.delivered).toHaveLength(0);
    expect(app.get(NotifyService).stats()).toMatchObject({ sent: 0, failed: 0, pending: 0 });
  });
});
