import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeRobot, FakeWeCom } from '../../fakes/wecom/index.js';
import { GewechatFake } from '../../fakes/gewechat/index.js';
import { VirtualClock } from '../../support/virtual-clock.js';
import { startTestGateway, type TestGateway, type TestGatewayOptions } from './test-gateway.js';

export const alertFixture = (name: string): any => JSON.parse(readFileSync(join(process.cwd(), 'test/fixtures/alerts', name), 'utf8'));

export interface AlertFakes {
  clock: VirtualClock;
  robot: FakeRobot;
  wecom: FakeWeCom;
  gewe: GewechatFake;
  close(): Promise<void>;
}

/** Fakes sharing one virtual clock: a robot (named channel `ops`), a WeCom app, gewechat. */
export async function startAlertFakes(clock = new VirtualClock(Date.UTC(2026, 7, 1, 2, 0, 0))): Promise<AlertFakes> {
  const robot = await FakeRobot.start({ clock });
  const wecom = await FakeWeCom.start({ clock });
  const gewe = await GewechatFake.start();
  return { clock, robot, wecom, gewe, close: async () => void (await Promise.all([robot.close(), wecom.close(), gewe.close()])) };
}

/**
 * A gateway whose alert timers run on the fakes' virtual clock. The poll timer is slowed down so
 * each test decides when groups flush (`flush()`), after moving the clock.
 */
export async function startAlertGateway(fakes: AlertFakes, options: TestGatewayOptions = {}): Promise<TestGateway & { flush(): Promise<number> }> {
  const gw = await startTestGateway({
    fakes: { gewe: fakes.gewe, wecom: fakes.wecom },
    channelDeps: { clock: fakes.clock, retry: { baseDelayMs: 1, maxDelayMs: 5 } },
    extraChannels: () => ({ ops: { type: 'wecom-bot', key: fakes.robot.key, baseUrl: fakes.robot.url } }),
    ...options,
    env: { WXNOTIFY_ALERT_POLL_MS: '3600000', ...options.env },
  });
  return Object.assign(gw, { flush: () => gw.gw.runtime.alerts!.engine.flush() });
}

/** Creates a Code on a named channel through the admin API (as the page and the CLI do). */
export async function channelCode(gw: TestGateway, channel: string, extra: Record<string, unknown> = {}): Promise<{ id: string; code: string }> {
  const res = await gw.call('POST', '/admin/api/codes', { channel, ...extra });
  if (res.status !== 201) throw new Error(`code create failed: ${res.status} ${res.text}`);
  return { id: res.json.id, code: res.json.code };
}
