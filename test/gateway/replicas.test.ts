import { randomUUID } from 'node:crypto';
import pgModule from 'pg';
import { GewechatFake } from '../fakes/gewechat/index.js';
import { JuheFake } from '../fakes/juhe/index.js';
import { FakeRobot } from '../fakes/wecom/fake-robot.js';
import { FakeWeCom } from '../fakes/wecom/index.js';
import { DEFAULT_APP_TOKEN, FakeWxPusher } from '../fakes/wxpusher/server.js';
import type { FakeServer } from '../support/fake-server.js';
import { startTempPostgres, type TempPostgres } from './support/postgres.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { redisInstalled, TestRedis } from '../nest/support/redis.js';
import { until } from './support/until.js';
import { startTestGateway, TEST_ADMIN_PASSWORD, type TestGateway, type TestGatewayOptions } from './support/test-gateway.js';

const pg: TempPostgres | undefined = startTempPostgres();
const describeIfPostgres = pg ? describe : describe.skip;

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


  const login = (t: TestGateway, password: string, headers: Record<string, string> = {}) => t.call('POST', '/admin/api/login', { password }, { auth: false, headers });
  const cookieOf = (res: { headers: Headers }) => res.headers.get('set-cookie')!.split(';')[0]!;
  /** An admin call with a page session only (no API key). */
  const asPage = (t: TestGateway, cookie: string, method: string, path: string, body?: unknown) => t.call(method, path, body, { auth: false, headers: { cookie, 'x-wxnotify-admin': '1' } });

  describe('sessions in the store', () => {
    it('a login on one replica is a session on every replica; logout or a password change there ends it everywhere', async () => {
      running = await replicas(2, { fakes: { gewe, wecom } });
      const [a, b] = running;
      const first = cookieOf(await login(a!, TEST_ADMIN_PASSWORD));
      expect((await asPage(b!, first, 'GET', '/admin/api/codes')).status).toBe(200);
      expect((await asPage(b!, first, 'POST', '/admin/api/logout')).status).toBe(200);
      expect((await asPage(a!, first, 'GET', '/admin/api/codes')).status).toBe(401);

      const onA = cookieOf(await login(a!, TEST_ADMIN_PASSWORD));
      const onB = cookieOf(await login(b!, TEST_ADMIN_PASSWORD));
      expect((await asPage(a!, onA, 'POST', '/admin/api/password', { current: TEST_ADMIN_PASSWORD, next: 'another-password-1' })).status).toBe(200);
      // The old session on B can no longer create a Code.
      const stale = await asPage(b!, onB, 'POST', '/admin/api/codes', { ...wecom.credentials, to: { users: ['zhangsan'] } });
      expect(stale.status).toBe(401);
      expect((await login(b!, TEST_ADMIN_PASSWORD)).status).toBe(401);
      const fresh = cookieOf(await login(b!, 'another-password-1'));
      expect((await asPage(b!, fresh, 'POST', '/admin/api/password', { current: 'another-password-1', next: TEST_ADMIN_PASSWORD })).status).toBe(200);
    });
  });

  describe('one secret key for all replicas', () => {
    it('a replica whose WXNOTIFY_SECRET_KEY differs from the store\'s refuses to start, saying what to do', async () => {
      running = await replicas(1, { fakes: { gewe, wecom } });
      const { code } = await running[0]!.createCode();
      await expect(startTestGateway({ fakes: { gewe, wecom }, env: { WXNOTIFY_DATABASE_URL: pg!.url, WXNOTIFY_SECRET_KEY: 'b'.repeat(64) } })).rejects.toThrow(
        /WXNOTIFY_SECRET_KEY \(fingerprint [0-9a-f]{16}\) is not the key this store was set up with \([0-9a-f]{16}\)\. Every replica must use the same WXNOTIFY_SECRET_KEY/,
      );
      // A replica with the right key serves the Code made by the first.
      running.push(...(await replicas(1, { fakes: { gewe, wecom } })));
      expect((await running[1]!.call('POST', `/api/notify/${code}`, { content: 'same key' }, { auth: false })).status).toBe(200);
    });
  });

  describe('first start of several replicas together', () => {
    it('only the replica whose password was stored writes the admin-password file; the others say where it is', async () => {
      const admin = new pgModule.Client({ connectionString: pg!.url });
      await admin.connect();
      await admin.query('CREATE DATABASE first_start');
      await admin.end();
      const url = pg!.url.replace(/\/postgres$/, '/first_start');
      const started = await Promise.all([0, 1, 2].map(() => startTestGateway({ fakes: { gewe, wecom }, env: { WXNOTIFY_DATABASE_URL: url, WXNOTIFY_ADMIN_PASSWORD: '' } })));
      running = started;
      const files = started.map((t) => join(t.dataDir, 'admin-password')).filter((file) => existsSync(file));
      expect(files).toHaveLength(1);
      const password = readFileSync(files[0]!, 'utf8').trim();
      for (const t of started) expect((await login(t, password)).status).toBe(200);
      const losers = started.filter((t) => !existsSync(join(t.dataDir, 'admin-password')));
      for (const t of losers) expect(t.logs.join('\n')).toContain(`Another replica set the admin password at the same first start`);
      for (const t of losers) expect(t.logs.join('\n')).toContain(files[0]);
    });
  });

  describe('limits hold for the whole deployment', () => {
    it('a Code limited to 20/min accepts 20 of 60 sends spread over 3 replicas; the API-key and unknown-Code limits hold the same way', async () => {
      running = await replicas(3, { fakes: { gewe, wecom }, env: { WXNOTIFY_API_KEY_RATE_LIMIT: '10' } });
      const { code } = await running[0]!.createCode({ rateLimitPerMinute: 20 });
      const statuses = await Promise.all(Array.from({ length: 60 }, (_, i) => running[i % 3]!.call('POST', `/api/notify/${code}`, { content: `limited ${i}` }, { auth: false }).then((r) => r.status)));
      expect(statuses.filter((s) => s === 200)).toHaveLength(20);
      expect(statuses.filter((s) => s === 429)).toHaveLength(40);

      const keyed = await Promise.all(Array.from({ length: 30 }, (_, i) => running[i % 3]!.call('GET', '/api/channels').then((r) => r.status)));
      expect(keyed.filter((s) => s === 200)).toHaveLength(10);

      const guesses = await Promise.all(Array.from({ length: 150 }, (_, i) => running[i % 3]!.call('POST', `/api/notify/${'A'.repeat(29)}${String(i).padStart(3, '0')}`, { content: 'x' }, { auth: false }).then((r) => r.status)));
      expect(guesses.filter((s) => s === 404)).toHaveLength(120);
    });

    (redisInstalled ? it : it.skip)('with WXNOTIFY_REDIS_URL the limits are counted in Redis instead, and hold the same way', async () => {
      const redis = await TestRedis.start();
      try {
        const env = { WXNOTIFY_REDIS_URL: `redis://127.0.0.1:${redis.port}` };
        running = await replicas(2, { fakes: { gewe, wecom }, env });
        const { code } = await running[0]!.createCode({ rateLimitPerMinute: 10 });
        const statuses = await Promise.all(Array.from({ length: 30 }, (_, i) => running[i % 2]!.call('POST', `/api/notify/${code}`, { content: `redis ${i}` }, { auth: false }).then((r) => r.status)));
        expect(statuses.filter((s) => s === 200)).toHaveLength(10);
        // Nothing was counted in the database for this Code.
        const admin = new pgModule.Client({ connectionString: pg!.url });
        await admin.connect();
        const { rows } = await admin.query('SELECT count(*)::int AS n FROM rate_windows');
        await admin.end();
        const before = rows[0].n;
        await running[0]!.call('POST', `/api/notify/${code}`, { content: 'one more' }, { auth: false });
        const again = new pgModule.Client({ connectionString: pg!.url });
        await again.connect();
        expect((await again.query('SELECT count(*)::int AS n FROM rate_windows')).rows[0].n).toBe(before);
        await again.end();
      } finally {
        await Promise.all(running.map((t) => t.stop()));
        running = [];
        await redis.stop();
      }
    });

    it('logins: 10 per address and 30 per account per minute, over all replicas together', async () => {
      running = await replicas(3, { fakes: { gewe, wecom }, env: { WXNOTIFY_TRUST_PROXY: 'loopback' } });
      // The logins of the tests above count against the account too: start from empty windows.
      const admin = new pgModule.Client({ connectionString: pg!.url });
      await admin.connect();
      await admin.query('DELETE FROM rate_windows');
      await admin.end();
      const from = (ip: string) => ({ 'x-forwarded-for': ip });
      const one = await Promise.all(Array.from({ length: 15 }, (_, i) => login(running[i % 3]!, 'wrong-password', from('203.0.113.7')).then((r) => r.status)));
      expect(one.filter((s) => s === 401)).toHaveLength(10);
      expect(one.filter((s) => s === 429)).toHaveLength(5);
      // Spread over many addresses, the account's own limit still holds.
      const many = await Promise.all(Array.from({ length: 30 }, (_, i) => login(running[i % 3]!, 'wrong-password', from(`198.51.100.${i + 1}`)).then((r) => r.status)));
      expect(many.filter((s) => s === 401)).toHaveLength(20);
      expect(many.filter((s) => s === 429)).toHaveLength(10);
    });
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

  describe('a lost lease aborts the attempt on the wire', () => {
    let robot: FakeRobot;
    let pusher: FakeWxPusher;
    beforeAll(async () => {
      [robot, pusher] = await Promise.all([FakeRobot.start(), FakeWxPusher.start()]);
    });
    afterAll(async () => {
      await Promise.all([robot.close(), pusher.close()]);
    });

    it('the hung request of an attempt whose lease was taken over is aborted; the new holder delivers once (robot, WxPusher, personal WeChat)', async () => {
      running = await replicas(2, {
        fakes: { gewe, wecom },
        // Far longer than the test: only the lease's signal can end the hung request in time.
        env: { WXNOTIFY_OUTBOX_POLL_MS: '20', WXNOTIFY_OUTBOX_LEASE_MS: '600', GEWECHAT_RATE_LIMIT: 'off', WXNOTIFY_UPSTREAM_TIMEOUT_MS: '60000' },
        extraChannels: () => ({
          bot: { type: 'wecom-bot', key: robot.key, baseUrl: robot.url } as never,
          pusher: { type: 'wxpusher', appToken: DEFAULT_APP_TOKEN, baseUrl: pusher.url } as never,
        }),
      });
      const rounds: Array<{ channel: string; to?: unknown; server: FakeServer; delivered: (content: string) => number }> = [
        { channel: 'bot', server: robot.server, delivered: (c) => robot.delivered.filter((d) => d.payload.content === c).length },
        { channel: 'pusher', to: { uids: ['UID_alice'] }, server: pusher.server, delivered: (c) => pusher.sends.filter((d) => d.body.content === c).length },
        { channel: 'wechat', to: 'wxid_friend_a', server: gewe.server, delivered: (c) => gewe.sent.filter((d) => d.body.content === c).length },
      ];
      const admin = new pgModule.Client({ connectionString: pg!.url });
      await admin.connect();
      try {
        for (const { channel, to, server, delivered } of rounds) {
          const content = `handed over via ${channel}`;
          server.injectFaults({ hang: 1 });
          const accepted = await running[0]!.call('POST', `/api/channels/${channel}/send?async=true`, { content, ...(to ? { to } : {}) });
          expect(accepted.status).toBe(202);
          const id = accepted.json.id as string;
          const hung = await until(async () => server.requests.find((r) => r.text.includes(content)), `the hung request via ${channel}`);
          // Another holder takes the entry, as a replica does once a lease ran out unrenewed (its
          // holder paused or cut off): a token of its own, free again at once so a gateway takes it.
          await admin.query('UPDATE outbox SET lease_token = $1, next_attempt_at = $2 WHERE id = $3', [randomUUID(), new Date().toISOString(), id]);
          await until(async () => ((await running[1]!.call('GET', `/api/outbox/${id}`)).json.status === 'sent' ? true : undefined), `delivery of ${id} by the new holder`);
          // The first attempt's connection closed unanswered: its request was aborted on the wire.
          await until(async () => (server.abandoned.includes(hung) ? true : undefined), `the first attempt via ${channel} aborted`);
          expect(delivered(content)).toBe(1);
          expect((await running[0]!.call('GET', `/api/outbox/${id}`)).json).toMatchObject({ status: 'sent', attempts: 1 });
        }
        // Recorded as what it was on the replica that lost the lease: neither failed nor dropped.
        const counted = async (result: string) => {
          let n = 0;
          for (const t of running) n += Number((await t.call('GET', '/metrics', undefined, { auth: false })).text.match(new RegExp(`^wxnotify_outbox_attempts_total\\{result="${result}"\\} (\\d+)$`, 'm'))?.[1] ?? 0);
          return n;
        };
        expect(await counted('unconfirmed')).toBe(rounds.length);
        expect(await counted('failed')).toBe(0);
        expect(await counted('sent')).toBe(rounds.length);
        expect(running.flatMap((t) => t.logs).filter((l) => l.includes('outbox attempt aborted: its lease was lost with a request on the wire'))).toHaveLength(rounds.length);
      } finally {
        await admin.end();
        for (const { server } of rounds) server.injectFaults({});
      }
    }, 30_000);
  });

  // Last: it restarts the database under the other tests' feet.
  describe('the database going away is an outage, not a crash', () => {
    it('terminated backends and a Postgres restart: 503s while it is down, no replica exits, accepted rows kept, reconnects by itself', async () => {
      // Polls every second: a failed attempt is retried 2 s later, after the restart below.
      running = await replicas(2, { fakes: { gewe, wecom }, env: { WXNOTIFY_OUTBOX_POLL_MS: '1000', GEWECHAT_RATE_LIMIT: 'off' } });
      const [a, b] = running;
      const { code } = await a!.createCode();
      for (const t of running) expect((await t.call('GET', '/health', undefined, { auth: false })).status).toBe(200);

      // pg_terminate_backend on every pooled connection (idle ones included) of both replicas.
      const admin = new pgModule.Client({ connectionString: pg!.url });
      await admin.connect();
      const { rows } = await admin.query('SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = current_database()');
      await admin.end();
      expect(rows.length).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 100));
      expect((await b!.call('POST', `/api/notify/${code}`, { content: 'after terminate' }, { auth: false })).status).toBe(200);
      expect((await a!.call('GET', '/health', undefined, { auth: false })).status).toBe(200);

      // Accepted while the upstream refuses: the rows wait in the outbox through the restart.
      gewe.server.injectFaults({ status: { code: 503, count: 3 } });
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await a!.call('POST', '/api/channels/wechat/send?async=true', { content: `kept ${i}`, to: 'wxid_friend_a' })).json.id);
      for (const id of ids) await until(async () => ((await a!.call('GET', `/api/outbox/${id}`)).json.attempts === 1 ? true : undefined), `a failed attempt of ${id}`);

      const restarted = pg!.restart({ downMs: 1500 }); // the server is down when this returns
      for (const t of running) {
        const health = await t.call('GET', '/health', undefined, { auth: false });
        expect(health.status).toBe(503);
        expect(health.json).toMatchObject({ status: 'error', message: expect.stringMatching(/store unavailable/) });
      }
      const refused = await b!.call('POST', `/api/notify/${code}`, { content: 'while down' }, { auth: false });
      expect(refused.status).toBe(503);
      expect(refused.json).toMatchObject({ success: false, code: 'STORE_UNAVAILABLE', retryable: true });
      expect(refused.headers.get('retry-after')).toBe('5');
      const notAccepted = await a!.call('POST', '/api/channels/wechat/send?async=true', { content: 'not accepted', to: 'wxid_friend_a' });
      expect(notAccepted.status).toBe(503);
      await restarted;
      for (const t of running) await until(async () => ((await t.call('GET', '/health', undefined, { auth: false })).status === 200 ? true : undefined), 'healthy again');
      expect((await a!.call('POST', `/api/notify/${code}`, { content: 'after restart' }, { auth: false })).status).toBe(200);
      for (const id of ids) await until(async () => ((await b!.call('GET', `/api/outbox/${id}`)).json.status === 'sent' ? true : undefined), `delivery of ${id}`);
      expect(gewe.sent.filter((s) => String(s.body.content).startsWith('kept ')).map((s) => s.body.content).sort()).toEqual(['kept 0', 'kept 1', 'kept 2']);
      expect(a!.logs.some((l) => /store unavailable: outbox delivery paused/.test(l))).toBe(true);
    }, 30_000);
  });
});
