import { Body, Controller, HttpCode, Inject, Injectable, Post } from '@nestjs/common';
import { businessSucceeded, Notify, NotifyService, type NotifyModuleOptions } from '@wxnotify/nestjs';
import { AddUserDto, postJson, startFixtureApp, type RunningApp } from './fixtures/add-user.app';
import { weComAppTarget, type Target } from './support/targets';
import { waitFor } from './support/wait';
import { VirtualClock } from '../support/virtual-clock';

/**
 * The product document's /add_user: `resulting = add_users(new_user)`, notify only
 * `if resulting.get('success')`, and answer `{'success': True, 'output': resulting}` either way.
 * Ported 1:1; the business logic does not know about notifications.
 */
@Injectable()
class SeedUsers {
  private readonly names = new Set<string>();

  addUsers(user: AddUserDto): { success: boolean; message: string; username?: string } {
    if (this.names.has(user.username)) return { success: false, message: '用户已存在' };
    this.names.add(user.username);
    return { success: true, message: '添加成功', username: user.username };
  }
}

const TEMPLATE = '新用户已加入：{{ body.username | default:未知用户 }}';

@Controller()
class SeedController {
  constructor(@Inject(SeedUsers) private readonly users: SeedUsers) {}

  /** The seed's exact response shape: success is always true, the business result is in `output`. */
  @Post('add_user')
  @HttpCode(200)
  @Notify(TEMPLATE)
  addUser(@Body() dto: AddUserDto) {
    const resulting = this.users.addUsers(dto);
    return { success: true, output: resulting };
  }

  /** The common flat shape: `{ success: false, message }` with status 200. */
  @Post('add_user_flat')
  @HttpCode(200)
  @Notify(TEMPLATE)
  addUserFlat(@Body() dto: AddUserDto) {
    return this.users.addUsers(dto);
  }

  /** An app convention of its own: `{ code: 0 }` is success; the rule also sees the request. */
  @Post('add_user_code')
  @HttpCode(200)
  @Notify({ template: TEMPLATE, when: (result, request) => (result as { code: number }).code === 0 && (request.query as Record<string, string>).quiet !== '1' })
  addUserCode(@Body() dto: AddUserDto) {
    const resulting = this.users.addUsers(dto);
    return { code: resulting.success ? 0 : 40901, msg: resulting.message };
  }

  @Post('add_user_broken_rule')
  @HttpCode(200)
  @Notify({
    template: TEMPLATE,
    when: () => {
      throw new Error('rule bug');
    },
  })
  addUserBrokenRule(@Body() dto: AddUserDto) {
    return this.users.addUsers(dto);
  }

  @Post('created_at')
  @HttpCode(200)
  @Notify('{{ body.username }} 加入于 {{ result.createdAt | datetime }}，通知于 {{ now | time }}')
  createdAt(@Body() dto: AddUserDto) {
    return { createdAt: '2026-12-01T09:57:27Z', username: dto.username };
  }
}

describe('@Notify success rule: notify only after the user was added (real Nest app over HTTP)', () => {
  let target: Target;
  let app: RunningApp;
  let notify: NotifyService;
  const clock = new VirtualClock(Date.UTC(2026, 11, 1, 10, 0, 0));

  const start = async (extra: Partial<NotifyModuleOptions> = {}): Promise<void> => {
    app = await startFixtureApp({
      notify: { channels: { ops: target.config }, shutdownTimeoutMs: 500, deps: { retry: { maxAttempts: 1 }, clock }, ...extra },
      controllers: [SeedController],
      providers: [SeedUsers],
    });
    notify = app.app.get(NotifyService);
  };

  beforeEach(async () => {
    target = await weComAppTarget();
  });

  afterEach(async () => {
    await app?.close();
    await target.close();
  });

  /** Every dispatch is counted as sent, failed or pending: after `expected` settled sends, nothing else was dispatched. */
  const settled = async (expected: number): Promise<void> => {
    await waitFor(() => target.delivered().length >= expected && notify.stats().pending === 0, `${expected} delivered notification(s)`);
    expect(notify.stats()).toMatchObject({ sent: expected, failed: 0, pending: 0, dropped: 0 });
  };

  it("the seed's shape { success: true, output: { success: false } }: a duplicate user sends nothing, the response is unchanged", async () => {
    await start();
    const first = await postJson(`${app.url}/add_user`, { username: 'erin' });
    expect(JSON.parse(first.body.toString())).toEqual({ success: true, output: { success: true, message: '添加成功', username: 'erin' } });
    await settled(1);
    const duplicate = await postJson(`${app.url}/add_user`, { username: 'erin' });
    expect(duplicate.status).toBe(200);
    expect(JSON.parse(duplicate.body.toString())).toEqual({ success: true, output: { success: false, message: '用户已存在' } });
    await postJson(`${app.url}/add_user`, { username: 'frank' });
    await settled(2);
    expect(target.delivered()).toEqual(['新用户已加入：erin', '新用户已加入：frank']);
  });

  it('the flat shape { success: false } sends nothing', async () => {
    await start();
    await postJson(`${app.url}/add_user_flat`, { username: 'grace' });
    const duplicate = await postJson(`${app.url}/add_user_flat`, { username: 'grace' });
    expect(JSON.parse(duplicate.body.toString())).toEqual({ success: false, message: '用户已存在' });
    await postJson(`${app.url}/add_user_flat`, { username: 'heidi' });
    await settled(2);
    expect(target.delivered()).toEqual(['新用户已加入：grace', '新用户已加入：heidi']);
  });

  it('a route rule (`when`) replaces the default and sees the request', async () => {
    await start();
    await postJson(`${app.url}/add_user_code`, { username: 'ivan' });
    await postJson(`${app.url}/add_user_code`, { username: 'ivan' }); // code 40901
    await postJson(`${app.url}/add_user_code?quiet=1`, { username: 'judy' }); // success, but the request opts out
    await postJson(`${app.url}/add_user_code`, { username: 'mallory' });
    await settled(2);
    expect(target.delivered()).toEqual(['新用户已加入：ivan', '新用户已加入：mallory']);
  });

  it('the module rule (`defaultWhen`) applies to routes without their own', async () => {
    await start({ defaultWhen: (result, request) => businessSucceeded(result, request) && !String((request.body as { username?: string }).username).startsWith('bot') });
    await postJson(`${app.url}/add_user_flat`, { username: 'bot-a' });
    await postJson(`${app.url}/add_user_flat`, { username: 'niaj' });
    await postJson(`${app.url}/add_user_flat`, { username: 'niaj' }); // the module rule keeps the business check
    await postJson(`${app.url}/add_user_code`, { username: 'bot-b' }); // its own rule wins
    await settled(2);
    expect(target.delivered()).toEqual(['新用户已加入：niaj', '新用户已加入：bot-b']);
  });

  it('a rule that throws skips the notification and never touches the response', async () => {
    await start();
    const res = await postJson(`${app.url}/add_user_broken_rule`, { username: 'olivia' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toEqual({ success: true, message: '添加成功', username: 'olivia' });
    await postJson(`${app.url}/add_user_flat`, { username: 'peggy' });
    await settled(1);
    expect(target.delivered()).toEqual(['新用户已加入：peggy']);
  });

  it('renders date helpers in the module time zone and {{now}} from deps.clock', async () => {
    await start();
    await postJson(`${app.url}/created_at`, { username: 'rupert' });
    await settled(1);
    expect(target.delivered()).toEqual(['rupert 加入于 2026-12-01 17:57:27，通知于 18:00:00']);
    await app.close();
    await start({ timeZone: 'Europe/Berlin' });
    await postJson(`${app.url}/created_at`, { username: 'sybil' });
    await waitFor(() => target.delivered().length === 2, 'the second notification');
    expect(target.delivered()[1]).toBe('sybil 加入于 2026-12-01 10:57:27，通知于 11:00:00');
  });
});
