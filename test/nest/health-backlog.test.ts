import { Controller, Get, Inject, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { NotifyHealthIndicator, NotifyModule, NotifyService } from '@wxnotify/nestjs';
import { weComAppTarget, type Target } from './support/targets';
import { waitFor } from './support/wait';
import { VirtualClock } from '../support/virtual-clock';

@Controller('health')
class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(NotifyHealthIndicator) private readonly notify: NotifyHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.notify.backlog()]);
  }

  @Get('all')
  @HealthCheck()
  all() {
    return this.health.check([() => this.notify.checkAll({ backlog: { maxFailed: 0 } })]);
  }
}

interface HealthBody {
  status: string;
  info?: Record<string, Record<string, unknown>>;
  error?: Record<string, Record<string, unknown>>;
}

describe('NotifyHealthIndicator reports the backlog: pending, dropped, failed (terminus over HTTP)', () => {
  let target: Target;
  let close: () => Promise<void>;
  let url: string;
  let notify: NotifyService;
  const clock = new VirtualClock();

  beforeEach(async () => {
    target = await weComAppTarget();
    @Module({
      imports: [
        TerminusModule,
        NotifyModule.forRoot({
          // Hung sends time out after 0.8 s (real time); 2 run at once, 4 may wait or run.
          channels: { ops: { ...target.config, timeoutMs: 800 } as typeof target.config },
          maxConcurrentSends: 2,
          maxPendingSends: 4,
          shutdownTimeoutMs: 100,
          deps: { retry: { maxAttempts: 1 }, clock },
        }),
      ],
      controllers: [HealthController],
    })
    class HealthAppModule {}
    const app = await NestFactory.create(HealthAppModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/health`;
    notify = app.get(NotifyService);
    close = () => app.close();
  });

  afterEach(async () => {
    await close();
    await target.close();
  });

  const probe = async (path = ''): Promise<{ status: number; body: HealthBody }> => {
    const res = await fetch(`${url}${path}`);
    return { status: res.status, body: (await res.json()) as HealthBody };
  };

  it('up with the counts when all is well', async () => {
    notify.dispatch('一切正常');
    await waitFor(() => notify.stats().sent === 1, 'the send');
    const { status, body } = await probe();
    expect(status).toBe(200);
    expect(body.info?.['notify:backlog']).toMatchObject({ status: 'up', pending: 0, dropped: 0, failed: 0, sent: 1, recentDropped: 0 });
  });

  it('down while the backlog is full and notifications are dropped; up again once the window has passed', async () => {
    target.hang(4);
    for (let i = 0; i < 6; i++) notify.dispatch(`告警 ${i}`);
    const full = await probe();
    expect(full.status).toBe(503);
    expect(full.body.error?.['notify:backlog']).toMatchObject({ status: 'down', pending: 4, dropped: 2, recentDropped: 2 });
    expect(String(full.body.error?.['notify:backlog'].message)).toMatch(/4 notifications pending.*2 dropped/);

    await waitFor(() => notify.stats().failed === 4, 'the hung sends to time out', 10_000);
    const drained = await probe();
    expect(drained.status).toBe(503);
    expect(drained.body.error?.['notify:backlog']).toMatchObject({ pending: 0, dropped: 2, failed: 4, recentDropped: 2 });

    clock.advance(61_000);
    const later = await probe();
    expect(later.status).toBe(200);
    expect(later.body.info?.['notify:backlog']).toMatchObject({ status: 'up', pending: 0, dropped: 2, failed: 4, recentDropped: 0, recentFailed: 0 });
  });

  it('checkAll() includes the backlog; maxFailed marks recent failures down', async () => {
    target.fail(1);
    notify.dispatch('会失败');
    await waitFor(() => notify.stats().failed === 1, 'the failed send');
    const { status, body } = await probe('/all');
    expect(status).toBe(503);
    expect(body.info?.['notify:ops']).toMatchObject({ status: 'up', channel: 'wecom-app' });
    expect(body.error?.['notify:backlog']).toMatchObject({ status: 'down', failed: 1, recentFailed: 1 });
    expect(String(body.error?.['notify:backlog'].message)).toContain('1 failed in the last 60 s');
  });
});
