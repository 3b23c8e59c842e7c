import { Body, Controller, HttpCode, Inject, Module, Post, ValidationPipe, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { isNotifyError, type ChannelConfig } from '@wxnotify/core';
import { Notify, NotifyRecorder, NotifyService, NotifyTestingModule, overrideNotifyForTesting } from '@wxnotify/nestjs';
import { AddUserDto, fixtureModule, postJson, UsersService } from './fixtures/add-user.app';
import { VirtualClock } from '../support/virtual-clock';

@Controller()
class UsersController {
  constructor(@Inject(UsersService) private readonly users: UsersService) {}

  @Post('add_user')
  @HttpCode(200)
  @Notify({ template: '新用户已加入：{{result.user.username}}', title: '新用户', onError: { template: '添加失败：{{error.message}}', channel: 'alerts' } })
  addUser(@Body() dto: AddUserDto) {
    return this.users.add(dto);
  }
}

const listen = async (app: INestApplication): Promise<string> => {
  app.useGlobalPipes(new ValidationPipe({ whitelist: true }));
  await app.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
};

describe('NotifyTestingModule: a user e2e test without any fake server', () => {
  let app: INestApplication;
  let url: string;
  let recorder: NotifyRecorder;
  const clock = new VirtualClock();

  beforeEach(async () => {
    @Module({
      imports: [NotifyTestingModule.forRoot({ channels: ['ops', 'alerts'], defaultChannel: 'ops', deps: { clock } })],
      controllers: [UsersController],
      providers: [UsersService],
    })
    class AppUnderTest {}
    app = await NestFactory.create(AppUnderTest, { logger: false });
    url = await listen(app);
    recorder = app.get(NotifyRecorder);
  });

  afterEach(() => app.close());

  it('records what @Notify would send, with channel, title and the clock time', async () => {
    const res = await postJson(`${url}/add_user`, { username: 'erin' });
    expect(res.status).toBe(200);
    const sent = await recorder.expectSent('新用户已加入：erin');
    expect(sent).toMatchObject({ channel: 'ops', type: 'memory', title: '新用户', at: clock.now() });
    expect(recorder.contents()).toEqual(['新用户已加入：erin']);
    expect(app.get(NotifyService).stats()).toMatchObject({ sent: 1, failed: 0, pending: 0 });
  });

  it('expectNothingSent on ops after a rejected request; onError goes to its channel', async () => {
    expect((await postJson(`${url}/add_user`, { username: 'x' })).status).toBe(400);
    await recorder.expectNothingSent(undefined, { channel: 'ops' });
    recorder.clear();
    expect((await postJson(`${url}/add_user`, { username: 'boom' })).status).toBe(500);
    await recorder.expectSent({ content: '添加失败：database is down' }, { channel: 'alerts' });
    await recorder.expectNothingSent(undefined, { channel: 'ops' });
  });

  it('the helpers fail with what was sent instead', async () => {
    await postJson(`${url}/add_user`, { username: 'frank' });
    await recorder.waitForSent(1);
    await expect(recorder.expectSent('新用户已加入：grace', { timeoutMs: 50 })).rejects.toThrow(/matching "新用户已加入：grace"; sent 1:\n {2}1\. \[ops\] "新用户已加入：frank"/);
    await expect(recorder.expectNothingSent(/frank/)).rejects.toThrow(/expected no notification matching \/frank\//);
    await expect(recorder.waitForSent(2, { timeoutMs: 50 })).rejects.toThrow(/expected 2 notification\(s\); sent 1/);
  });

  it('failNext makes sends fail with a NotifyError, counted as failed', async () => {
    recorder.failNext(1, { code: 60020, message: 'not allow to access from your ip' });
    await expect(app.get(NotifyService).send('直接发送')).rejects.toMatchObject({ code: 60020, retryable: false });
    await postJson(`${url}/add_user`, { username: 'heidi' });
    await recorder.expectSent('heidi');
    recorder.failNext();
    await postJson(`${url}/add_user`, { username: 'ivan' });
    await recorder.expectNothingSent('ivan');
    expect(app.get(NotifyService).stats()).toMatchObject({ sent: 1, failed: 1 });
  });
});

describe('overrideNotifyForTesting: the app keeps NotifyModule.forRoot with its real config', () => {
  it('records instead of sending, and refuses what the real channel would refuse', async () => {
    // A real wecom-app config pointing at a port where nothing listens: any request would fail the send.
    const ops = { type: 'wecom-app', corpId: 'ww0000000000000001', corpSecret: 'secret-never-used', agentId: 1000002, baseUrl: 'http://127.0.0.1:9', defaultTo: { users: ['zhangsan'] } } as ChannelConfig;
    const recorder = new NotifyRecorder();
    const moduleRef = await overrideNotifyForTesting(Test.createTestingModule({ imports: [fixtureModule({ notify: { channels: { ops }, queue: { connection: { port: 1 } } } })] }), recorder).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    const url = await listen(app);
    try {
      await postJson(`${url}/add_user`, { username: 'judy', team: 'ops' });
      const sent = await recorder.expectSent(/新用户已加入：judy（团队 ops，#1）/);
      expect(sent).toMatchObject({ channel: 'ops', type: 'wecom-app' });
      const notify = app.get(NotifyService);
      const refused = await notify.send('ops', { content: 'x', to: { users: [] } }).catch((e: unknown) => e);
      expect(isNotifyError(refused) && refused.kind === 'validation').toBe(true);
      expect(recorder.sent).toHaveLength(1);
      expect(notify.stats()).toMatchObject({ sent: 1, failed: 0, queued: 0, fallbacks: 0 });
    } finally {
      await app.close();
    }
  });
});
