import { randomUUID } from 'node:crypto';
import pgModule from 'pg';
import { channelCode, startAlertFakes, startAlertGateway, type AlertFakes } from './support/alert-gateway.js';
import { startTempPostgres, type TempPostgres } from './support/postgres.js';
import type { TestGateway } from './support/test-gateway.js';
import { until } from './support/until.js';

const pg: TempPostgres | undefined = startTempPostgres();
const describeIfPostgres = pg ? describe : describe.skip;

/** Two gateways on one Postgres store flush the same due groups at once: each group is sent exactly once. */
describeIfPostgres('alert groups with two replicas on Postgres', () => {
  let fakes: AlertFakes;
  let a: TestGateway & { flush(): Promise<number> };
  let b: TestGateway & { flush(): Promise<number> };
  beforeAll(async () => {
    fakes = await startAlertFakes();
    // A short flush lease (renewed every 200 ms), and an upstream timeout far beyond the tests:
    // only a lost lease's signal can end a hung send in time.
    const env = { WXNOTIFY_DATABASE_URL: pg!.url, WXNOTIFY_ALERT_LEASE_MS: '600', WXNOTIFY_UPSTREAM_TIMEOUT_MS: '60000' };
    a = await startAlertGateway(fakes, { env });
    b = await startAlertGateway(fakes, { env });
  }, 30_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await fakes?.close();
    pg!.stop();
  });

  it('exactly one replica sends each group, also on repeats and resolves', async () => {
    const { id, code } = await channelCode(a, 'ops');
    await a.call('PUT', `/admin/api/alerts/settings/${id}`, { groupBy: ['alertname', 'instance'] });
    const alerts = Array.from({ length: 6 }, (_, i) => ({ title: 'ReplicaTest', content: `host ${i}`, labels: { instance: `h${i}` } }));
    expect((await b.call('POST', `/api/alerts/${code}`, alerts, { auth: false })).json).toMatchObject({ accepted: 6, groups: 6 });
    fakes.clock.advance(10_000);
    await Promise.all([a.flush(), b.flush(), a.flush(), b.flush()]);
    const messages = () => fakes.robot.delivered.filter((d) => String(d.payload.content).includes('ReplicaTest'));
    // Each replica sends the groups it took (as a digest when it took several): every group exactly once.
    const mentions = (i: number) => messages().filter((m) => String(m.payload.content).includes(`host ${i}`)).length;
    for (let i = 0; i < 6; i++) expect(mentions(i)).toBe(1);
    const firingMessages = messages().length;
    expect(firingMessages).toBeLessThanOrEqual(2);

    await a.call('POST', `/api/alerts/${code}`, alerts.map((x) => ({ ...x, status: 'resolved' })), { auth: false });
    fakes.clock.advance(5 * 60_000);
    await Promise.all([a.flush(), b.flush(), a.flush(), b.flush()]);
    for (let i = 0; i < 6; i++) expect(mentions(i)).toBe(2);
    const deliveries = (await b.call('GET', '/admin/api/alerts/deliveries?q=ReplicaTest')).json.deliveries;
    expect(deliveries).toHaveLength(messages().length);
  });

  it('a flush whose lease is taken over mid-send is aborted on the wire; the new holder sends the group once', async () => {
    const { id, code } = await channelCode(a, 'ops', { name: 'handed over' });
    await a.call('POST', `/api/alerts/${code}`, [{ title: 'HandedOver', content: 'disk full' }], { auth: false });
    fakes.clock.advance(10_000);
    fakes.robot.server.injectFaults({ hang: 1 });
    const flushing = a.flush();
    const hung = await until(async () => fakes.robot.server.requests.find((r) => r.text.includes('HandedOver')), 'the hung alert message');
    // Another replica takes the group, as one does once a lease ran out unrenewed: a token of its
    // own, free again at once (on the fakes' clock) so that replica B takes it.
    const admin = new pgModule.Client({ connectionString: pg!.url });
    await admin.connect();
    try {
      const { rowCount } = await admin.query('UPDATE alert_groups SET lease_token = $1, lease_until = $2 WHERE code_id = $3 AND lease_token IS NOT NULL', [
        randomUUID(),
        new Date(fakes.clock.now()).toISOString(),
        id,
      ]);
      expect(rowCount).toBe(1);
    } finally {
      await admin.end();
    }
    await until(async () => (fakes.robot.server.abandoned.includes(hung) ? true : undefined), 'the first flush aborted on the wire');
    expect(await flushing).toBe(0);
    expect(await b.flush()).toBe(1);
    expect(fakes.robot.delivered.filter((d) => String(d.payload.content).includes('HandedOver'))).toHaveLength(1);
    const rows = (await b.call('GET', '/admin/api/alerts/deliveries?q=HandedOver')).json.deliveries as Array<{ status: string; error: string | null }>;
    expect(rows.map((r) => r.status).sort()).toEqual(['sent', 'unconfirmed']);
    expect(rows.find((r) => r.status === 'unconfirmed')!.error).toMatch(/another replica sends/);
    expect(a.logs.some((l) => l.includes("alert flush aborted: a group's lease was lost (unconfirmed)"))).toBe(true);
  });
});
