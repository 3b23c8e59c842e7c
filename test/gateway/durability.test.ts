import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotifyService } from '@wxnotify/nestjs';
import { clearStaleLock, SqliteDriver } from '../../gateway/src/store/sqlite-driver.js';
import { GatewayStore } from '../../gateway/src/store/store.js';
import { GewechatFake } from '../fakes/gewechat/index.js';
import { FakeWeCom } from '../fakes/wecom/index.js';
import { until } from './support/until.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

const ENV = { WXNOTIFY_OUTBOX_POLL_MS: '20', WXNOTIFY_OUTBOX_MAX_ATTEMPTS: '1000', GEWECHAT_RATE_LIMIT: 'off' };

describe('accepted asynchronous sends survive a restart (outbox in the store)', () => {
  let gewe: GewechatFake;
  let wecom: FakeWeCom;
  let dataDir: string;
  let t: TestGateway | undefined;
  beforeAll(async () => {
    gewe = await GewechatFake.start();
    wecom = await FakeWeCom.start();
    dataDir = mkdtempSync(join(tmpdir(), 'wxnotify-durable-'));
  });
  afterAll(async () => {
    await t?.stop();
    await Promise.all([gewe.close(), wecom.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('202 + id while the upstream is down; persisted before the answer; delivered once after the restart', async () => {
    t = await startTestGateway({ fakes: { gewe, wecom }, dataDir, env: ENV });
    gewe.server.injectFaults({ status: { code: 503, count: 100_000 } });
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) {
      const res = await t.call('POST', '/api/channels/wechat/send?async=true', { content: `queued ${i}`, to: 'wxid_friend_a' });
      expect(res.status).toBe(202);
      expect(res.json).toMatchObject({ success: true, status: 'pending', id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      ids.push(res.json.id);
    }
    // A second connection to the database file already sees every accepted message.
    const reader = new GatewayStore(new SqliteDriver(join(dataDir, 'wxnotify.db')));
    for (const id of ids) expect((await reader.getOutbox(id))?.status).toBe('pending');
    await reader.close();

    await until(async () => ((await t!.call('GET', `/api/outbox/${ids[0]}`)).json.attempts >= 1 ? true : undefined), 'a failed attempt');
    const metrics = await t.call('GET', '/metrics', undefined, { auth: false });
    expect(metrics.text).toMatch(/^wxnotify_queue_depth 5$/m);
    expect(metrics.text).toMatch(/^wxnotify_outbox_attempts_total\{result="retry"\} \d+$/m);
    await t.stop();
    expect(gewe.sent).toHaveLength(0);

    gewe.server.injectFaults({});
    t = await startTestGateway({ fakes: { gewe, wecom }, dataDir, env: ENV });
    for (const id of ids) {
      const done = await until(async () => {
        const res = await t!.call('GET', `/api/outbox/${id}`);
        return res.json.status === 'sent' ? res.json : undefined;
      }, `delivery of ${id}`);
      expect(done.result.messageIds).toHaveLength(1);
    }
    expect(gewe.sent.map((s) => s.body.content).sort()).toEqual(['queued 1', 'queued 2', 'queued 3', 'queued 4', 'queued 5']);
    const after = await t.call('GET', '/metrics', undefined, { auth: false });
    expect(after.text).toMatch(/^wxnotify_queue_depth 0$/m);
    expect(after.text).toMatch(/^wxnotify_sends_total\{channel="wechat",result="ok"\} 5$/m);
  });

  it('an entry leased by a process that crashed mid-send is delivered at the next start, not after the lease', async () => {
    await t?.stop();
    t = undefined;
    // The state a killed gateway leaves behind: accepted, taken for delivery, lease 60 s ahead.
    const store = new GatewayStore(new SqliteDriver(join(dataDir, 'wxnotify.db')));
    const id = await store.enqueue('wechat', { content: 'left behind by a crash', to: 'wxid_friend_b' });
    expect(await store.claim((await store.getOutbox(id))!, 60_000)).toMatchObject({ key: id });
    await store.close();
    t = await startTestGateway({ fakes: { gewe, wecom }, dataDir, env: ENV });
    await until(async () => ((await t!.call('GET', `/api/outbox/${id}`)).json.status === 'sent' ? true : undefined), 'redelivery');
    expect(gewe.sent.filter((s) => s.body.content === 'left behind by a crash')).toHaveLength(1);
  });

  it('a lock directory left by a process killed inside a transaction is cleared at the next start', async () => {
    await t?.stop();
    t = undefined;
    // node-sqlite3-wasm locks with a directory; a SIGKILL mid-transaction leaves it behind.
    const lock = join(dataDir, 'wxnotify.db.lock');
    mkdirSync(lock);
    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(lock, minuteAgo, minuteAgo);
    t = await startTestGateway({ fakes: { gewe, wecom }, dataDir, env: ENV });
    expect(existsSync(lock)).toBe(false);
    const res = await t.call('POST', '/api/channels/wechat/send', { content: 'after the crash', to: 'wxid_friend_a' });
    expect(res.status).toBe(200);

    // A fresh lock is another process mid-transaction: it stays.
    const fresh = join(dataDir, 'other.db.lock');
    mkdirSync(fresh);
    expect(clearStaleLock(join(dataDir, 'other.db'))).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(clearStaleLock(join(dataDir, 'other.db'), Date.now() + 11_000)).toBe(true);
    expect(existsSync(fresh)).toBe(false);
  });

  it('one gateway per data directory: a second one is refused while the first lives; a dead owner\'s lock is taken over', async () => {
    t ??= await startTestGateway({ fakes: { gewe, wecom }, dataDir, env: ENV });
    await expect(startTestGateway({ fakes: { gewe, wecom }, dataDir, env: ENV })).rejects.toThrow(/Another gateway \(pid \d+ on .+\) is using the data directory/);
    await t.stop();
    t = undefined;
    const lockFile = join(dataDir, 'gateway.lock');
    expect(existsSync(lockFile)).toBe(false);

    // Another live process on this host with a fresh heartbeat: refused.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    writeFileSync(lockFile, JSON.stringify({ pid: other.pid, host: hostname(), heartbeatAt: Date.now() }));
    await expect(startTestGateway({ fakes: { gewe, wecom }, dataDir, env: ENV })).rejects.toThrow(/Another gateway/);
    other.kill('SIGKILL');
    await new Promise((resolve) => other.once('exit', resolve));
    // The same process killed: its lock (heartbeat still fresh) is taken over at once.
    t = await startTestGateway({ fakes: { gewe, wecom }, dataDir, env: ENV });
    expect((await t.call('POST', '/api/channels/wechat/send', { content: 'after takeover', to: 'wxid_friend_a' })).status).toBe(200);
    await t.stop();

    // A lock whose heartbeat stopped long ago is stale even if its pid now belongs to someone else.
    const stranger = spawnSync(process.execPath, ['-p', 'process.ppid'], { encoding: 'utf8' });
    writeFileSync(lockFile, JSON.stringify({ pid: Number(stranger.stdout.trim()), host: hostname(), heartbeatAt: Date.now() - 60_000 }));
    t = await startTestGateway({ fakes: { gewe, wecom }, dataDir, env: ENV });
  });

  it('a message the upstream refuses for good is marked failed, not retried forever', async () => {
    t ??= await startTestGateway({ fakes: { gewe, wecom }, dataDir, env: ENV });
    const res = await t.call('POST', '/api/channels/wechat/send', { content: 'x', to: 'wxid_stranger' }, { headers: { prefer: 'respond-async' } });
    expect(res.status).toBe(202);
    const failed = await until(async () => {
      const s = await t!.call('GET', `/api/outbox/${res.json.id}`);
      return s.json.status === 'failed' ? s.json : undefined;
    }, 'failure');
    expect(failed.attempts).toBe(1);
    expect(failed.lastError).toMatch(/用户不存在/);
  });
});

describe('sync sends to named channels', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({
      extraChannels: ({ wecom }) => ({ ops: { type: 'wecom-app', ...wecom.credentials, baseUrl: wecom.url, defaultTo: { users: ['zhangsan'] } } as never }),
    });
  });
  afterAll(() => t.close());

  it('lists channels and sends through one by name; failures carry channel, code and hint', async () => {
    // Named channels are served by @wxnotify/nestjs's NotifyService inside the gateway.
    expect(t.gw.app.get(NotifyService).channelNames.sort()).toEqual(['ops', 'wechat']);
    const list = await t.call('GET', '/api/channels');
    expect(list.json.channels).toEqual(expect.arrayContaining([{ name: 'wechat', type: 'gewechat' }, { name: 'ops', type: 'wecom-app' }]));
    const ok = await t.call('POST', '/api/channels/ops/send', { title: 'Deploy', content: 'v1.2.3 is live', format: 'markdown' });
    expect(ok.status).toBe(200);
    expect(ok.json.result).toMatchObject({ channel: 'wecom-app', ok: true, messageIds: [t.wecom.delivered.at(-1)!.msgid] });
    t.wecom.failNext('message/send', 60020, 1, 'not allow to access from your ip');
    const refused = await t.call('POST', '/api/channels/ops/send', { content: 'x' });
    expect(refused.status).toBe(502);
    expect(refused.json).toMatchObject({ success: false, channel: 'wecom-app', code: 60020, retryable: false });
    expect(refused.json.hint).toMatch(/IP/i);
    const metrics = await t.call('GET', '/metrics', undefined, { auth: false });
    expect(metrics.text).toMatch(/^wxnotify_send_failures_total\{channel="ops",code="60020"\} 1$/m);
    expect((await t.call('POST', '/api/channels/ops/send', { content: 'x' }, { auth: false })).status).toBe(401);
  });
});
