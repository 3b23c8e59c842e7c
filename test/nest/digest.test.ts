import { Body, Controller, HttpCode, Module, Post, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Notify, NotifyDigests, NotifyModule, NotifyService } from '@wxnotify/nestjs';
import { startFakeRobot, type FakeRobot } from '../fakes/wecom';
import { postJson } from './fixtures/add-user.app';
import { waitFor } from './support/wait';
import { ManualClock } from '../support/manual-clock';

class SignupDto {
  username!: string;
  team!: string;
}

@Controller()
class SignupController {
  @Post('signup')
  @HttpCode(200)
  @Notify({ template: '新用户：{{body.username}}（{{body.team}}）', title: '新用户', digest: { windowMs: 60_000, key: '{{body.team}}', maxItems: 3 } })
  signup(@Body() dto: SignupDto) {
    return dto.username === 'taken' ? { success: false, message: '用户已存在' } : { success: true, user: dto.username };
  }

  @Post('signup_by_fn')
  @HttpCode(200)
  @Notify({ template: '{{body.username}}', digest: { windowMs: 10_000, key: (_result, request) => String((request as { body: SignupDto }).body.team).toUpperCase(), render: (items, { key }) => ({ content: `${key}: ${items.map((n) => n.content).join(', ')}` }) } })
  signupByFn(@Body() dto: SignupDto) {
    return { success: true, user: dto.username };
  }
}

describe('@Notify({ digest }): one message per key and window (real Nest app, virtual clock)', () => {
  let robot: FakeRobot;
  let app: INestApplication;
  let url: string;
  let clock: ManualClock;

  beforeEach(async () => {
    robot = await startFakeRobot();
    clock = new ManualClock(Date.UTC(2026, 11, 1, 2, 0, 0));
    @Module({
      imports: [NotifyModule.forRoot({ channels: { team: { type: 'wecom-bot', key: robot.key, baseUrl: robot.url } }, shutdownTimeoutMs: 2000, deps: { clock, retry: { maxAttempts: 1 } } })],
      controllers: [SignupController],
    })
    class DigestApp {}
    app = await NestFactory.create(DigestApp, { logger: false });
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });

  afterEach(async () => {
    await app?.close();
    await robot.close();
  });

  const post = async (path: string, username: string, team: string): Promise<void> => {
    expect((await postJson(`${url}/${path}`, { username, team })).status).toBe(200);
  };
  const contents = (): string[] => robot.delivered.map((d) => String(d.payload.content));
  const waiting = (): number => app.get(NotifyDigests).pending();

  it('collects per key for the window, then sends one message per key, in order', async () => {
    await post('signup', 'erin', 'ops');
    await post('signup', 'frank', 'dev');
    await post('signup', 'grace', 'ops');
    await post('signup', 'taken', 'ops'); // the success rule still applies: not collected
    await waitFor(() => waiting() === 3, 'three notifications in digest windows');
    await clock.advance(59_000);
    expect(robot.delivered).toHaveLength(0);
    await clock.advance(1_000);
    await waitFor(() => robot.delivered.length === 2, 'two digests');
    const ops = contents().find((c) => c.includes('erin'))!;
    expect(ops).toMatch(/【汇总 2 条通知[^】]*】/);
    expect(ops.indexOf('erin')).toBeLessThan(ops.indexOf('grace'));
    expect(ops).not.toContain('frank');
    expect(contents().find((c) => c.includes('frank'))).not.toContain('erin');
    expect(contents().join('\n')).not.toContain('taken');
    await waitFor(() => app.get(NotifyService).stats().pending === 0, 'the sends to settle');
    expect(app.get(NotifyService).stats()).toMatchObject({ sent: 2, failed: 0, dropped: 0, pending: 0 });
  });

  it('a full window (maxItems) is sent at once; what follows opens the next window', async () => {
    for (const name of ['a1', 'a2', 'a3', 'a4']) await post('signup', name, 'ops');
    await waitFor(() => robot.delivered.length === 1, 'the full digest');
    expect(contents()[0]).toMatch(/a1[\s\S]*a2[\s\S]*a3/);
    expect(contents()[0]).not.toContain('a4');
    expect(waiting()).toBe(1);
    await clock.advance(60_000);
    await waitFor(() => robot.delivered.length === 2, 'the next window');
    expect(contents()[1]).toContain('a4');
  });

  it('key and render functions', async () => {
    await post('signup_by_fn', 'x1', 'ops');
    await post('signup_by_fn', 'x2', 'ops');
    await waitFor(() => waiting() === 2, 'two waiting');
    await clock.advance(10_000);
    await waitFor(() => robot.delivered.length === 1, 'the digest');
    expect(contents()[0]).toBe('OPS: x1, x2');
  });

  it('open windows are sent at shutdown, not lost', async () => {
    await post('signup', 'last', 'ops');
    await waitFor(() => waiting() === 1, 'one waiting');
    await app.close();
    expect(contents().some((c) => c.includes('last'))).toBe(true);
    app = undefined as unknown as INestApplication;
  });
});
