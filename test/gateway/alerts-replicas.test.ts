import { channelCode, startAlertFakes, startAlertGateway, type AlertFakes } from './support/alert-gateway.js';
import { startTempPostgres, type TempPostgres } from './support/postgres.js';
import type { TestGateway } from './support/test-gateway.js';

const pg: TempPostgres | undefined = startTempPostgres();
const describeIfPostgres = pg ? describe : describe.skip;

/** Two gateways on one Postgres store flush the same due groups at once: each group is sent exactly once. */
describeIfPostgres('alert groups with two replicas on Postgres', () => {
  let fakes: AlertFakes;
  let a: TestGateway & { flush(): Promise<number> };
  let b: TestGateway & { flush(): Promise<number> };
  beforeAll(async () => {
    fakes = await startAlertFakes();
    const env = { WXNOTIFY_DATABASE_URL: pg!.url };
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
});
