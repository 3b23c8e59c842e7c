import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LeaseLostError, Leases } from '../../gateway/src/store/leases.js';
import { migrations } from '../../gateway/src/store/migrations.js';
import { SqliteDriver } from '../../gateway/src/store/sqlite-driver.js';
import { GatewayStore } from '../../gateway/src/store/store.js';

/** Leases with fencing tokens over the embedded store (the Postgres replicas run them in replicas.test.ts). */
describe('store leases', () => {
  let dir: string;
  let store: GatewayStore;
  let t = 1_700_000_000_000;
  const now = () => t;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wxnotify-leases-'));
    store = new GatewayStore(new SqliteDriver(join(dir, 'wxnotify.db')));
    await store.migrate();
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('one holder at a time; after the lease runs out another takes it, and the old holder can no longer finish', async () => {
    const leases = new Leases(store.driver, { table: 'leases', key: 'name', upsert: true }, now);
    const a = await leases.take('alert-group:cpu', 1000);
    expect(a).toBeDefined();
    expect(await leases.take('alert-group:cpu', 1000)).toBeUndefined();
    expect(await leases.take('alert-group:disk', 1000)).toBeDefined();
    t += 500;
    expect(await leases.renew(a!, 1000)).toBe(true);
    t += 900; // 1400 ms after the take: still held thanks to the renewal
    expect(await leases.take('alert-group:cpu', 1000)).toBeUndefined();
    t += 200;
    const b = await leases.take('alert-group:cpu', 1000);
    expect(b).toBeDefined();
    expect(b!.token).not.toBe(a!.token);
    expect(await leases.renew(a!, 1000)).toBe(false);
    expect(await leases.release(a!)).toBe(false);
    expect(await leases.release(b!)).toBe(true);
    expect(await leases.take('alert-group:cpu', 1000)).toBeDefined();
  });

  it('outbox: markSent by an attempt whose lease was taken over changes nothing; the holder\'s does', async () => {
    const id = await store.enqueue('wechat', { content: 'once' });
    const entry = (await store.getOutbox(id))!;
    const first = await store.claim(entry, 200);
    expect(first).toBeDefined();
    expect(await store.claim(entry, 60_000)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 210));
    const second = await store.claim((await store.getOutbox(id))!, 60_000);
    expect(second).toBeDefined();
    expect(await store.markSent(first!, { ok: true })).toBe(false);
    expect(await store.markFailed(first!, 'late')).toBe(false);
    expect((await store.getOutbox(id))!.status).toBe('pending');
    expect(await store.markSent(second!, { ok: true })).toBe(true);
    expect(await store.getOutbox(id)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(await store.markSent(second!, { ok: true })).toBe(false); // the token is spent
  });

  it('hold renews while the work runs and aborts the work when another holder shows up', async () => {
    const leases = new Leases(store.driver, { table: 'leases', key: 'name', upsert: true });
    const lease = (await leases.take('job', 600))!;
    const kept = await leases.hold(lease, 600, async (signal) => {
      await new Promise((r) => setTimeout(r, 1000));
      return !signal.aborted;
    });
    expect(kept).toBe(true);
    expect(await leases.take('job', 600)).toBeUndefined();

    // Someone else's token on the row (as after a takeover): the next renewal notices.
    await store.driver.run(`UPDATE leases SET lease_token = 'other' WHERE name = 'job'`);
    const reason = await leases.hold(lease, 600, (signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason))));
    expect(reason).toBeInstanceOf(LeaseLostError);
  });

  it('migrations: every missing version is applied, also below the highest applied one', async () => {
    const fresh = new GatewayStore(new SqliteDriver(join(dir, 'out-of-order.db')));
    await fresh.driver.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    const first = migrations.find((m) => m.version === 1)!;
    for (const sql of first.sql) await fresh.driver.exec(sql as string);
    // Version 1 and a later version (landed first) are recorded; everything in between is missing.
    const later = Math.max(...migrations.map((m) => m.version)) + 1;
    await fresh.driver.run('INSERT INTO schema_migrations (version, applied_at) VALUES (1, ?), (?, ?)', ['x', later, 'x']);
    expect(await fresh.migrate()).toBe(migrations.length - 1);
    expect(await fresh.driver.all(`SELECT name FROM sqlite_master WHERE name IN ('leases', 'admin_sessions')`)).toHaveLength(2);
    expect(await fresh.migrate()).toBe(0);
    await fresh.close();
  });
});
