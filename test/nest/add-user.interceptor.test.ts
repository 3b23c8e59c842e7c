import { NotifyService } from '@wxnotify/nestjs';
import { postJson, startFixtureApp, type RawResponse, type RunningApp } from './fixtures/add-user.app';
import { weComAppTarget, weComBotTarget, wxPusherTarget, type Target } from './support/targets';
import { median, waitFor } from './support/wait';
import { VirtualClock } from '../support/virtual-clock';

/** Real retries; waits (backoff, rate-limit windows) run on a virtual clock so nothing lingers after a test. */
const FAST_RETRY = { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10, rateLimitWaitMs: 20, maxRateLimitWaits: 1 };

const targets: Array<[string, () => Promise<Target>]> = [
  ['wecom-app', weComAppTarget],
  ['wecom-bot', weComBotTarget],
  ['wxpusher', wxPusherTarget],
];

describe.each(targets)('POST /add_user with @Notify (%s fake)', (_label, startTarget) => {
  let target: Target;
  let baseline: RunningApp;
  let notified: RunningApp;
  let service: NotifyService;

  beforeEach(async () => {
    target = await startTarget();
    baseline = await startFixtureApp({});
    notified = await startFixtureApp({ notify: { channels: { ops: target.config }, defaultChannel: 'ops', shutdownTimeoutMs: 300, deps: { retry: FAST_RETRY, clock: new VirtualClock() } } });
    service = notified.app.get(NotifyService);
  });

  afterEach(async () => {
    await notified.close();
    await baseline.close();
    await target.close();
  });

  const expectSameResponse = (a: RawResponse, b: RawResponse): void => {
    expect(a.status).toBe(b.status);
    expect(a.contentType).toBe(b.contentType);
    expect(a.body.equals(b.body)).toBe(true);
  };

  /** Same request N times on both apps (alternating); returns the last responses and the medians. */
  const compare = async (body: unknown, rounds = 5) => {
    const times = { base: [] as number[], notified: [] as number[] };
    let last: { base?: RawResponse; notified?: RawResponse } = {};
    for (let i = 0; i < rounds; i++) {
      last = { base: await postJson(`${baseline.url}/add_user`, body), notified: await postJson(`${notified.url}/add_user`, body) };
      times.base.push(last.base!.ms);
      times.notified.push(last.notified!.ms);
    }
    return { base: last.base!, notified: last.notified!, baseMs: median(times.base), notifiedMs: median(times.notified) };
  };

  it('sends the rendered message after the response, through the core channel', async () => {
    const res = await postJson(`${notified.url}/add_user`, { username: ' erin ', team: 'ops' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toEqual({ success: true, user: { id: 1, username: 'erin', team: 'ops' } });
    await waitFor(() => target.delivered().length === 1, 'the notification');
    expect(target.delivered()[0]).toContain('新用户已加入：erin（团队 ops，#1）');
    // The fake records the message before its answer reaches the client: wait for the answer too.
    await waitFor(() => service.stats().pending === 0, 'the upstream answer');
    expect(service.stats()).toMatchObject({ sent: 1, failed: 0, pending: 0, dropped: 0 });
  });

  it('keeps the response byte-identical and as fast when the upstream fails', async () => {
    target.fail(1000);
    const run = await compare({ username: 'frank', team: 'a' });
    expectSameResponse(run.notified, run.base);
    expect(run.notifiedMs).toBeLessThan(run.baseMs + 200);
    await waitFor(() => service.stats().failed === 5, 'five failed sends');
    expect(target.delivered()).toHaveLength(0);
  });

  it('keeps the response byte-identical and as fast when the upstream hangs', async () => {
    target.hang(1000);
    const run = await compare({ username: 'grace' });
    expectSameResponse(run.notified, run.base);
    expect(run.notifiedMs).toBeLessThan(run.baseMs + 200);
    await waitFor(() => target.upstreamRequests() >= 1, 'the hanging send to reach the fake');
    expect(service.stats().pending).toBeGreaterThan(0);
  });

  it('keeps the response byte-identical and as fast when the upstream rate-limits', async () => {
    target.rateLimit(1000);
    const run = await compare({ username: 'heidi' });
    expectSameResponse(run.notified, run.base);
    expect(run.notifiedMs).toBeLessThan(run.baseMs + 200);
    expect(target.delivered()).toHaveLength(0);
  });

  it('sends nothing when validation fails or the handler throws', async () => {
    const invalid = await postJson(`${notified.url}/add_user`, { username: 'x' });
    expect(invalid.status).toBe(400);
    const thrown = await postJson(`${notified.url}/add_user`, { username: 'boom' });
    expect(thrown.status).toBe(500);
    const baseThrown = await postJson(`${baseline.url}/add_user`, { username: 'boom' });
    expectSameResponse(thrown, baseThrown);
    // A later successful request is delivered: the earlier ones would have been delivered first.
    await postJson(`${notified.url}/add_user`, { username: 'ivan' });
    await waitFor(() => target.delivered().length === 1, 'the notification for ivan');
    expect(target.delivered()[0]).toContain('ivan');
    await waitFor(() => service.stats().pending === 0, 'the send to complete');
    expect(service.stats()).toMatchObject({ sent: 1, failed: 0, dropped: 0 });
  });

  it('sends a failure notification only where the decorator asks for it', async () => {
    const res = await postJson(`${notified.url}/add_user_alerted`, { username: 'boom' });
    expect(res.status).toBe(500);
    await waitFor(() => target.delivered().length === 1, 'the failure notification');
    expect(target.delivered()[0]).toContain('add_user failed for boom: database is down');
  });

  it('drains pending sends on shutdown', async () => {
    await postJson(`${notified.url}/add_user`, { username: 'judy' });
    await postJson(`${notified.url}/add_user`, { username: 'mallory' });
    await notified.close();
    expect(target.delivered()).toHaveLength(2);
    expect(service.stats()).toMatchObject({ sent: 2, pending: 0, dropped: 0 });
  });

  it('gives up after shutdownTimeoutMs on a hanging upstream and counts honestly', async () => {
    target.hang(1);
    await postJson(`${notified.url}/add_user`, { username: 'niaj' });
    await waitFor(() => target.upstreamRequests() === 1, 'the hanging send');
    await notified.close();
    // The app's first request is its token fetch: no message had left, so it was dropped. The
    // others hung on the send itself, which may have arrived: unconfirmed, not dropped.
    const expected = _label === 'wecom-app' ? { dropped: 1, unconfirmed: 0 } : { dropped: 0, unconfirmed: 1 };
    expect(service.stats()).toMatchObject({ sent: 0, pending: 0, ...expected });
  });
});
