import { GewechatFake } from '../fakes/gewechat/index.js';
import { FakeWeCom } from '../fakes/wecom/index.js';
import { startTempPostgres, type TempPostgres } from './support/postgres.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

const pg: TempPostgres | undefined = startTempPostgres();
const describeIfPostgres = pg ? describe : describe.skip;

/** Two gateway replicas on one Postgres store (WXNOTIFY_DATABASE_URL). Skipped when Postgres is not installed. */
describeIfPostgres('Postgres store shared by two replicas', () => {
  let a: TestGateway;
  let b: TestGateway;
  let gewe: GewechatFake;
  let wecom: FakeWeCom;
  beforeAll(async () => {
    gewe = await GewechatFake.start();
    wecom = await FakeWeCom.start();
    const env = { WXNOTIFY_DATABASE_URL: pg!.url, WXNOTIFY_OUTBOX_POLL_MS: '20', GEWECHAT_RATE_LIMIT: 'off' };
    // Both start at once: the migration lock keeps them from running the same step twice.
    const started = await Promise.allSettled([startTestGateway({ fakes: { gewe, wecom }, env }), startTestGateway({ fakes: { gewe, wecom }, env })]);
    // Keep whichever replica started, so afterAll stops it even when the other failed.
    [a, b] = started.map((r) => (r.status === 'fulfilled' ? r.value : undefined)) as [TestGateway, TestGateway];
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }, 30_000);
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await Promise.all([gewe?.close(), wecom?.close()]);
    pg!.stop();
  });

  it('a Code made on one replica works on the other, and a revoke there is effective at once', async () => {
    const { id, code } = await a.createCode();
    expect((await b.call('POST', `/api/notify/${code}`, { content: 'from b' }, { auth: false })).status).toBe(200);
    expect((await b.call('DELETE', `/admin/api/codes/${id}`)).status).toBe(200);
    expect((await a.call('POST', `/api/notify/${code}`, { content: 'x' }, { auth: false })).status).toBe(404);
    const listed = (await a.call('GET', '/admin/api/codes')).json.codes.find((c: { id: string }) => c.id === id);
    expect(listed).toMatchObject({ revokedAt: expect.any(String), corpId: wecom.corpId });
  });

  it('the outbox is shared: each accepted message is delivered exactly once by the two workers', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const replica = i % 2 ? a : b;
      const res = await replica.call('POST', '/api/channels/wechat/send?async=1', { content: `pg ${i}`, to: 'wxid_friend_a' });
      expect(res.status).toBe(202);
      ids.push(res.json.id);
    }
    for (let tries = 0; tries < 200; tries++) {
      const states = await Promise.all(ids.map(async (id) => (await a.call('GET', `/api/outbox/${id}`)).json.status));
      if (states.every((s) => s === 'sent')) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const contents = gewe.sent.map((s) => String(s.body.content)).filter((c) => c.startsWith('pg '));
    expect(contents.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `pg ${i}`).sort());
  });
});
