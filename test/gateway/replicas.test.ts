import { GewechatFake } from '../fakes/gewechat/index.js';
import { JuheFake } from '../fakes/juhe/index.js';
import { FakeRobot } from '../fakes/wecom/fake-robot.js';
import { FakeWeCom } from '../fakes/wecom/index.js';
import { DEFAULT_APP_TOKEN, FakeWxPusher } from '../fakes/wxpusher/server.js';
import { startTempPostgres, type TempPostgres } from './support/postgres.js';
import { startTestGateway, type TestGateway, type TestGatewayOptions } from './support/test-gateway.js';

const pg: TempPostgres | undefined = startTempPostgres();
const describeIfPostgres = pg ? describe : describe.skip;

async function until<T>(probe: () => Promise<T | undefined>, what: string, tries = 400): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Gateway replicas on the one Postgres (each with its own data dir), started together. */
async function replicas(count: number, options: TestGatewayOptions): Promise<TestGateway[]> {
  const started = await Promise.allSettled(Array.from({ length: count }, () => startTestGateway({ ...options, env: { WXNOTIFY_DATABASE_URL: pg!.url, ...options.env } })));
  const up = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(up.map((t) => t.stop()));
    throw failed.reason;
  }
  return up;
}

describeIfPostgres('gateway replicas on one Postgres', () => {
  let gewe: GewechatFake;
  let wecom: FakeWeCom;
  let running: TestGateway[] = [];
  beforeAll(async () => {
    [gewe, wecom] = await Promise.all([GewechatFake.start(), FakeWeCom.start()]);
  });
  afterEach(async () => {
    await Promise.all(running.map((t) => t.stop()));
    running = [];
  });
  afterAll(async () => {
    await Promise.all([gewe.close(), wecom.close()]);
    pg!.stop();
  });

  describe('outbox fencing', () => {
    let robot: FakeRobot;
    let pusher: FakeWxPusher;
    let juhe: JuheFake;
    beforeAll(async () => {
      [robot, pusher, juhe] = await Promise.all([FakeRobot.start(), FakeWxPusher.start(), JuheFake.start()]);
    });
    afterAll(async () => {
      await Promise.all([robot.close(), pusher.close(), juhe.close()]);
    });

    it('an attempt that outlives the lease is delivered once, for every channel type (the lease is renewed; the outcome is fenced)', async () => {
      const guid = [...juhe.clients.keys()][0]!;
      const LEASE_MS = 600;
      const SLOW_MS = 1500;
      running = await replicas(2, {
        fakes: { gewe, wecom },
        env: { WXNOTIFY_OUTBOX_POLL_MS: '20', WXNOTIFY_OUTBOX_LEASE_MS: String(LEASE_MS), GEWECHAT_RATE_LIMIT: 'off', WXNOTIFY_UPSTREAM_TIMEOUT_MS: '10000' },
        extraChannels: () => ({
          bot: { type: 'wecom-bot', key: robot.key, baseUrl: robot.url } as never,
          pusher: { type: 'wxpusher', appToken: DEFAULT_APP_TOKEN, baseUrl: pusher.url } as never,
          hook: { type: 'wecom-hook', mode: 'gateway', baseUrl: juhe.url, appKey: juhe.appKey, appSecret: juhe.appSecret, guid } as never,
          app: { type: 'wecom-app', ...wecom.credentials, baseUrl: wecom.url, defaultTo: { users: ['zhangsan'] } } as never,
        }),
      });
      const [a, b] = running;
      // Every upstream answers (and delivers) only after several lease lengths.
      for (const server of [gewe.server, robot.server, pusher.server, juhe.server, wecom.server]) server.injectFaults({ delayMs: SLOW_MS });
      try {
        const sends: Array<[string, unknown]> = [
          ['wechat', 'wxid_friend_a'],
          ['bot', undefined],
          ['pusher', { uids: ['UID_alice'] }],
          ['hook', 'S:1688852792312821'],
          ['app', undefined],
        ];
        const ids: string[] = [];
        for (const [channel, to] of sends) {
          const res = await a!.call('POST', `/api/channels/${channel}/send?async=true`, { content: `fenced via ${channel}`, ...(to ? { to } : {}) });
          expect(res.status).toBe(202);
          ids.push(res.json.id);
        }
        for (const id of ids) await until(async () => ((await b!.call('GET', `/api/outbox/${id}`)).json.status === 'sent' ? true : undefined), `delivery of ${id}`);
        // A second attempt (by the other replica, once the first lease ran out) would land one slow answer later.
        await new Promise((r) => setTimeout(r, SLOW_MS + LEASE_MS));
        const delivered = (content: string[]) => content.filter((c) => c.startsWith('fenced via')).length;
        expect({
          wechat: delivered(gewe.sent.map((s) => String(s.body.content))),
          bot: delivered(robot.delivered.map((d) => JSON.stringify(d).match(/fenced via \w+/)?.[0] ?? '')),
          pusher: delivered(pusher.sends.map((s) => String(s.body.content))),
          hook: delivered(juhe.sent.map((s) => s.content)),
          app: delivered(wecom.delivered.map((d) => JSON.stringify(d).match(/fenced via \w+/)?.[0] ?? '')),
        }).toEqual({ wechat: 1, bot: 1, pusher: 1, hook: 1, app: 1 });
        for (const id of ids) expect((await a!.call('GET', `/api/outbox/${id}`)).json).toMatchObject({ status: 'sent', attempts: 1 });
      } finally {
        for (const server of [gewe.server, robot.server, pusher.server, juhe.server, wecom.server]) server.injectFaults({});
      }
    }, 30_000);
  });
});
