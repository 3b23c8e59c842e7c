import { GewechatFake } from '../fakes/gewechat/index.js';
import { FakeWeCom } from '../fakes/wecom/index.js';
import { VirtualClock } from '../support/virtual-clock.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

/**
 * Issue #13, gateway item 2: after a 45009 the synchronous routes answer at once with 429 +
 * Retry-After (nothing sent) instead of holding the caller for WeCom's 60 s window; the outbox
 * still waits the window out and delivers. Time is virtual: `clock.slept` is how long the gateway waited.
 */
describe('a 45009 window does not stall synchronous callers', () => {
  let t: TestGateway;
  let clock: VirtualClock;
  let code: string;
  beforeAll(async () => {
    clock = new VirtualClock();
    const fakes = { gewe: await GewechatFake.start(), wecom: await FakeWeCom.start({ clock }) };
    t = await startTestGateway({
      fakes,
      channelDeps: { clock },
      now: () => clock.now(),
      extraChannels: ({ wecom }) => ({ ops: { type: 'wecom-app', ...wecom.credentials, baseUrl: wecom.url, defaultTo: { users: ['zhangsan'] } } }),
    });
    ({ code } = await t.createCode());
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([t.gewe.close(), t.wecom.close()]);
  });

  it('Code route and named-channel route: 429 + Retry-After within the bound, nothing sent, then 200 after the window', async () => {
    expect((await t.call('POST', `/api/notify/${code}`, { content: 'before' }, { auth: false })).status).toBe(200);
    expect((await t.call('POST', '/api/channels/ops/send', { content: 'before (ops)' })).status).toBe(200);
    t.wecom.rateLimit('message/send', 60_000);
    const delivered = t.wecom.delivered.length;
    const slept = clock.slept;

    const first = await t.call('POST', `/api/notify/${code}`, { content: 'hits 45009' }, { auth: false });
    expect(first.status).toBe(429);
    expect(first.json).toMatchObject({ success: false, code: 45009, retryable: true });
    const retryAfter = Number(first.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(55);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(first.json.retryAfterSeconds).toBe(retryAfter);

    // Later calls of the same app fail fast without another request to WeCom.
    const calls = t.wecom.sendCalls;
    const again = await t.call('POST', `/api/notify/${code}`, { content: 'during the window' }, { auth: false });
    expect(again.status).toBe(429);
    expect(again.json.code).toBe('RATE_LIMITED');
    const named = await t.call('POST', '/api/channels/ops/send', { content: 'during the window (ops)' });
    expect(named.status).toBe(429);
    expect(Number(named.headers.get('retry-after'))).toBeGreaterThanOrEqual(55);
    expect(named.json).toMatchObject({ success: false, retryable: true, hint: expect.stringMatching(/^上游限流/) });
    expect(t.wecom.sendCalls).toBe(calls);

    expect(clock.slept - slept).toBe(0);
    expect(t.wecom.delivered.length).toBe(delivered);

    clock.advance(60_000);
    expect((await t.call('POST', `/api/notify/${code}`, { content: 'after the window' }, { auth: false })).status).toBe(200);
  });

  it('an asynchronous send accepted during the window is kept and delivered once the window ends', async () => {
    t.wecom.rateLimit('message/send', 60_000);
    await t.call('POST', '/api/channels/ops/send', { content: 'trip the window' });
    const accepted = await t.call('POST', '/api/channels/ops/send?async=true', { content: 'queued during the window' });
    expect(accepted.status).toBe(202);
    let status = 'pending';
    for (let i = 0; i < 200 && status === 'pending'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      status = (await t.call('GET', `/api/outbox/${accepted.json.id}`)).json.status;
    }
    expect(status).toBe('sent');
    expect(t.wecom.delivered.some((m) => JSON.stringify(m).includes('queued during the window'))).toBe(true);
  });
});

/**
 * The same bound holds for the core's quotas: past a member's 30/min a synchronous request is
 * not held for the merge slot (up to a minute) but answered 429 + Retry-After at once, nothing
 * sent and nothing silently dropped by WeCom. Outside a request (the outbox) the send still coalesces.
 */
describe('a full member quota does not stall synchronous callers', () => {
  let t: TestGateway;
  let clock: VirtualClock;
  let code: string;
  beforeAll(async () => {
    clock = new VirtualClock();
    const fakes = { gewe: await GewechatFake.start(), wecom: await FakeWeCom.start({ clock }) };
    t = await startTestGateway({ fakes, channelDeps: { clock }, now: () => clock.now() });
    ({ code } = await t.createCode());
  });
  afterAll(async () => {
    await t.close();
    await Promise.all([t.gewe.close(), t.wecom.close()]);
  });

  it('the 31st send in a minute to one member answers 429 with Retry-After, and the member lost nothing', async () => {
    for (let i = 1; i <= 30; i++) {
      expect((await t.call('POST', `/api/notify/${code}`, { content: `alert ${i}` }, { auth: false })).status).toBe(200);
    }
    const slept = clock.slept;
    const over = await t.call('POST', `/api/notify/${code}`, { content: 'alert 31' }, { auth: false });
    expect(over.status).toBe(429);
    expect(over.json).toMatchObject({ success: false, code: 'QUOTA_EXCEEDED', retryable: true });
    const retryAfter = Number(over.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(61);
    expect(clock.slept - slept).toBe(0);
    expect(t.wecom.receivedBy('zhangsan')).toHaveLength(30);
    expect(t.wecom.quotaDrops).toBe(0);

    clock.advance(retryAfter * 1000);
    expect((await t.call('POST', `/api/notify/${code}`, { content: 'alert 31' }, { auth: false })).status).toBe(200);
    expect(t.wecom.receivedBy('zhangsan')).toHaveLength(31);
    expect(t.wecom.quotaDrops).toBe(0);
  });
});
