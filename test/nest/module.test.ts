import { Controller, Get, Inject, Injectable, Module, Post } from '@nestjs/common';
import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import { HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { isNotifyError, MemoryRateLimiter, systemClock, type ChannelConfig } from '@wxnotify/core';
import { Notify, NotifyConfigError, NotifyHealthIndicator, NotifyModule, NotifyService } from '@wxnotify/nestjs';
import { startFakeWeCom, type FakeWeCom } from '../fakes/wecom';
import { FakeWxPusher } from '../fakes/wxpusher';
import { waitFor } from './support/wait';

describe('NotifyModule', () => {
  let wecom: FakeWeCom;
  let wxpusher: FakeWxPusher;
  const deps = () => ({ retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 }, rateLimiter: new MemoryRateLimiter(systemClock) });

  beforeEach(async () => {
    wecom = await startFakeWeCom();
    wxpusher = await FakeWxPusher.start();
  });

  afterEach(async () => {
    await wecom.close();
    await wxpusher.close();
  });

  const channels = (): Record<string, ChannelConfig> => ({
    ops: { type: 'wecom-app', ...wecom.credentials, baseUrl: wecom.url, defaultTo: { users: ['zhangsan'] } } as ChannelConfig,
    push: { type: 'wxpusher', spt: 'SPT_fake_receiver_1', baseUrl: wxpusher.url } as ChannelConfig,
  });

  it('fails the start with one readable error listing every problem, without config values', async () => {
    const start = Test.createTestingModule({
      imports: [
        NotifyModule.forRoot({
          channels: { ops: { type: 'wecom-app', corpId: '', corpSecret: 'top-secret-value', agentId: 1 } as ChannelConfig, odd: { type: 'nope' } as unknown as ChannelConfig },
          defaultChannel: 'missing',
          shutdownTimeoutMs: -1,
        }),
      ],
    }).compile();
    const error = await start.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NotifyConfigError);
    const message = (error as Error).message;
    expect(message).toContain('shutdownTimeoutMs must not be less than 0');
    expect(message).toContain('defaultChannel "missing" is not one of the channels');
    expect(message).not.toContain('top-secret-value');
  });

  it('surfaces the core channel validation at start-up', async () => {
    const error = await Test.createTestingModule({
      imports: [NotifyModule.forRoot({ channels: { ops: { type: 'wecom-app', corpId: '', corpSecret: 'top-secret-value', agentId: 1 } as ChannelConfig } })],
    })
      .compile()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect((error as Error).message).toMatch(/channels\.ops \(wecom-app\): \[wecom-app\] INVALID_CONFIG: corpId/);
    expect((error as Error).message).not.toContain('top-secret-value');
  });

  it('fails the start when a @Notify route names a channel that is not configured', async () => {
    @Controller()
    class TypoController {
      @Post('x')
      @Notify({ template: 'hi', channel: 'opz' })
      x() {
        return {};
      }
    }
    const moduleRef = await Test.createTestingModule({ imports: [NotifyModule.forRoot({ channels: channels(), deps: deps() })], controllers: [TypoController] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    const error = await app.init().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).toContain('@Notify on TypoController.x uses channel "opz", which is not configured');
    await app.close().catch(() => undefined);
  });

  it('forRootAsync with inject; send() returns the core SendResult; channel(name, type) is typed and checked', async () => {
    @Injectable()
    class Settings {
      constructor(readonly channels: Record<string, ChannelConfig>) {}
    }
    const settings = new Settings(channels());
    @Module({ providers: [{ provide: Settings, useValue: settings }], exports: [Settings] })
    class SettingsModule {}
    const moduleRef = await Test.createTestingModule({
      imports: [NotifyModule.forRootAsync({ imports: [SettingsModule], inject: [Settings], useFactory: (s: Settings) => ({ channels: s.channels, defaultChannel: 'ops', deps: deps() }), isGlobal: true })],
    }).compile();
    const notify = moduleRef.get(NotifyService);
    const result = await notify.send('来自 NotifyService 的消息');
    expect(result).toMatchObject({ channel: 'wecom-app', ok: true, parts: 1 });
    expect(wecom.delivered[0].payload.content).toBe('来自 NotifyService 的消息');
    const viaPush = await notify.send('push', { content: 'hello push' });
    expect(viaPush.channel).toBe('wxpusher');
    expect(notify.channel('ops', 'wecom-app').type).toBe('wecom-app');
    expect(() => notify.channel('ops', 'wxpusher')).toThrow('channel "ops" is a wecom-app channel, not wxpusher');
    wecom.failNext('message/send', 40003);
    const failure = await notify.send({ content: 'x', to: { users: ['zhangsan'] } }).catch((e: unknown) => e);
    expect(isNotifyError(failure)).toBe(true);
    expect(failure).toMatchObject({ channel: 'wecom-app', code: 40003 });
    await moduleRef.close();
  });

  it('maps application events to notifications through EventEmitter2', async () => {
    @Injectable()
    class Users {
      constructor(@Inject(EventEmitter2) private readonly events: EventEmitter2) {}
      add(name: string): void {
        this.events.emit('user.added', { user: { name }, password: 'never-rendered' });
      }
    }
    const moduleRef = await Test.createTestingModule({
      imports: [
        EventEmitterModule.forRoot(),
        NotifyModule.forRoot({ channels: channels(), defaultChannel: 'ops', deps: deps(), events: { 'user.added': { channel: 'push', template: '{{event}}: {{payload.user.name}}' } } }),
      ],
      providers: [Users],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    app.get(Users).add('erin');
    await waitFor(() => wxpusher.sends.length === 1, 'the event notification');
    expect(wxpusher.sends[0].body.content).toBe('user.added: erin');
    await app.close();
  });

  it('reports channel health for @nestjs/terminus from the core check()', async () => {
    @Controller('health')
    class HealthController {
      constructor(
        @Inject(HealthCheckService) private readonly health: HealthCheckService,
        @Inject(NotifyHealthIndicator) private readonly notify: NotifyHealthIndicator,
      ) {}
      @Get()
      check() {
        return this.health.check([() => this.notify.check('ops')]);
      }
    }
    const moduleRef = await Test.createTestingModule({
      imports: [TerminusModule, NotifyModule.forRoot({ channels: channels(), deps: deps() })],
      controllers: [HealthController],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/health`;
    const up = await fetch(url);
    expect(up.status).toBe(200);
    expect((await up.json()) as unknown).toMatchObject({ status: 'ok', info: { 'notify:ops': { status: 'up', channel: 'wecom-app' } } });
    expect(wecom.gettokenCalls).toBe(1);

    wecom.invalidateTokens(42001);
    wecom.failNext('gettoken', 40001, 5);
    const indicator = app.get(NotifyHealthIndicator);
    const down = await indicator.check('ops');
    expect(down['notify:ops'].status).toBe('down');
    expect(JSON.stringify(down)).not.toContain(wecom.corpSecret);
    expect((await indicator.check('unknown'))['notify:unknown'].status).toBe('down');
    await app.close();
  });
});
