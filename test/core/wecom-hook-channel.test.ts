import { createChannel, parseWeComHookCallback, type Transport, type WeComHookChannel } from '@wxnotify/core';
import { AxiosTransport } from '@wxnotify/core/axios';
import { FakeServer } from '../support/fake-server';
import { VirtualClock } from '../support/virtual-clock';
import { JuheFake } from '../fakes/juhe';
import { rejection } from '../support/notify-errors';

const GUID = '5b1eb388-a4df-3da5-a49a-507eea46632c';

describe('wecom-hook channel against the fake JuHe hook', () => {
  let fake: JuheFake;
  let transport: AxiosTransport;

  beforeAll(async () => {
    transport = new AxiosTransport({ proxy: false });
  });
  afterAll(() => transport.close());
  beforeEach(async () => {
    fake = await JuheFake.start({
      clients: {
        [GUID]: { status: 2, sessions: Array.from({ length: 250 }, (_, i) => `${i % 3 === 0 ? 'R' : 'S'}:${1688850000000000 + i}`) },
        'guid-needs-login': { status: 1 },
        'guid-stopped': { status: 0 },
      },
    });
  });
  afterEach(() => fake.close());

  function direct(overrides: Record<string, unknown> = {}): WeComHookChannel {
    return createChannel({ type: 'wecom-hook', mode: 'direct', baseUrl: fake.url, guid: GUID, ...overrides }, { transport, retry: { baseDelayMs: 1, maxDelayMs: 2 } });
  }

  function gateway(overrides: Record<string, unknown> = {}): WeComHookChannel {
    return createChannel(
      { type: 'wecom-hook', mode: 'gateway', baseUrl: fake.url, guid: GUID, appKey: fake.appKey, appSecret: fake.appSecret, ...overrides },
      { transport, retry: { baseDelayMs: 1, maxDelayMs: 2 } },
    );
  }

  it('sends text directly to the instance and returns the id and the plain appinfo', async () => {
    const result = await direct().send({ title: 'Deploy', content: 'v2 is live', to: 'S:1688857160788209' });
    expect(fake.requests[0].path).toBe('/msg/send_text');
    expect(fake.requests[0].json).toEqual({ guid: GUID, conversation_id: 'S:1688857160788209', content: 'Deploy\nv2 is live' });
    expect(result).toMatchObject({ ok: true, messageIds: [fake.sent[0].id], requests: 1 });
    // The response carries base64(appinfo); the result holds the plain form the echo callback uses.
    expect(result.details.targets[0].appinfo).toBe(fake.sent[0].appinfo);
  });

  it('sends through the vendor gateway form', async () => {
    await gateway().send({ content: 'via gateway', to: 'R:1970325468984112' });
    const [req] = fake.requests;
    expect(req.path).toBe('/open/GuidRequest');
    expect(req.json).toEqual({
      app_key: fake.appKey,
      app_secret: fake.appSecret,
      path: '/msg/send_text',
      data: { guid: GUID, conversation_id: 'R:1970325468984112', content: 'via gateway' },
    });
  });

  it('repairs bare numeric and lowercase conversation ids', async () => {
    const result = await direct().send({ content: 'hi', to: ['1688852792312821', ' s:1688857160788209 '] });
    expect(fake.sent.map((s) => s.conversationId)).toEqual(['S:1688852792312821', 'S:1688857160788209']);
    expect(result.details.repaired).toBe(2);
    expect(result.details.targets[0]).toMatchObject({ conversationId: 'S:1688852792312821', input: '1688852792312821', ok: true });
  });

  it('rejects invalid conversation ids before any request, even next to valid ones', async () => {
    for (const to of ['wxid_abc', 'X:123', '', 'S:', ['S:1688852792312821', 'R:room-1']]) {
      const error = await rejection(direct().send({ content: 'hi', to }));
      expect(error).toMatchObject({ kind: 'validation', code: 'INVALID_CONVERSATION_ID' });
      expect(error.hint).toMatch(/S:<user id>/);
    }
    expect(fake.requests).toHaveLength(0);
  });

  it('explains -4017 (recipient forbids external contacts) with a hint', async () => {
    const error = await rejection(direct().send({ content: 'hi', to: 'S:1688850000004017' }));
    expect(error).toMatchObject({ channel: 'wecom-hook', code: -4017, kind: 'upstream', retryable: false });
    expect(error.upstreamMessage).toContain('对方无外部联系人权限');
    expect(error.hint).toMatch(/external contacts/);
  });

  it('keeps the number and message of unknown codes', async () => {
    const error = await rejection(direct({ guid: 'no-such-guid' }).send({ content: 'hi', to: 'S:1' }));
    expect(error).toMatchObject({ code: -1, upstreamMessage: 'client not found' });
  });

  it('explains -2003 when the upstream rejects a conversation id', async () => {
    // A proxy that strips the prefix on the way: the client-side check passed, the hook refuses.
    const stripping: Transport = { request: (req) => transport.request({ ...req, body: String(req.body).replace('"S:1688857160788209"', '"1688857160788209"') }) };
    const channel = createChannel({ type: 'wecom-hook', mode: 'direct', baseUrl: fake.url, guid: GUID }, { transport: stripping });
    const error = await rejection(channel.send({ content: 'hi', to: 'S:1688857160788209' }));
    expect(error).toMatchObject({ code: -2003, upstreamMessage: '参数错误', retryable: false });
    expect(error.hint).toMatch(/S:\/R:/);
    expect(fake.sent).toHaveLength(0);
  });

  it('explains gateway HTTP errors and never shows app_secret', async () => {
    const secret = 'as_wrong_1234567890';
    const error = await rejection(gateway({ appSecret: secret }).send({ content: 'hi', to: 'S:1688857160788209' }));
    expect(error).toMatchObject({ code: 401, kind: 'http', status: 401, retryable: false });
    expect(error.hint).toMatch(/app_key\/app_secret/);
    const health = await gateway({ appSecret: secret }).check();
    for (const text of [error.message, JSON.stringify(error), JSON.stringify(health)]) expect(text).not.toContain(secret);
  });

  it('retries a gateway 500 and then succeeds', async () => {
    fake.server.injectFaults({ status: { code: 500, count: 1 } });
    const result = await gateway().send({ content: 'hi', to: 'S:1688857160788209' });
    expect(result).toMatchObject({ ok: true, requests: 2, retries: 1 });
    expect(fake.sent).toHaveLength(1);
  });

  it('waits out a gateway 429 for Retry-After, then retries (virtual clock)', async () => {
    const clock = new VirtualClock();
    fake.throttle(1, 7);
    const channel = createChannel(
      { type: 'wecom-hook', mode: 'gateway', baseUrl: fake.url, guid: GUID, appKey: fake.appKey, appSecret: fake.appSecret },
      { transport, clock },
    );
    const result = await channel.send({ content: 'hi', to: 'S:1688857160788209' });
    expect(result).toMatchObject({ ok: true, requests: 2 });
    expect(clock.slept).toBe(7_000);
  });

  it('reports client status in check()', async () => {
    expect(await direct().check()).toMatchObject({ ok: true, message: 'client online', details: { status: 2 } });
    expect(await direct({ guid: 'guid-needs-login' }).check()).toMatchObject({ ok: false, details: { status: 1, state: 'needs-login' } });
    expect(await direct({ guid: 'guid-stopped' }).check()).toMatchObject({ ok: false, details: { status: 0, state: 'stopped' } });
    expect(await gateway().check()).toMatchObject({ ok: true });
  });

  it('lists clients', async () => {
    expect(await direct().listClients()).toEqual([GUID, 'guid-needs-login', 'guid-stopped']);
  });

  it('follows begin_seq through every session page', async () => {
    const { sessions, pages, complete } = await direct().listSessions({ pageSize: 100 });
    expect(sessions).toEqual(fake.clients.get(GUID)!.sessions);
    expect({ pages, complete }).toEqual({ pages: 3, complete: true });
    expect(fake.requests.map((r) => (r.json as { begin_seq: string }).begin_seq)).toEqual(['0', '1000099', '1000199']);
  });

  it('stops at the page cap and says the list is incomplete', async () => {
    const result = await direct().listSessions({ pageSize: 100, maxPages: 2 });
    expect(result).toMatchObject({ pages: 2, complete: false });
    expect(result.sessions).toHaveLength(200);
  });

  it('sends a batch of 1,000 conversations with bounded concurrency and per-target results', async () => {
    fake.sendDelayMs = 1;
    const ids = Array.from({ length: 1000 }, (_, i) => `S:${1688851000000000 + i}`);
    ids[500] = 'S:1688850000004017';
    const result = await direct().sendBatch(ids, { content: 'maintenance at 22:00' }, { concurrency: 8 });
    expect(fake.maxInFlight).toBeLessThanOrEqual(8);
    expect(fake.maxInFlight).toBeGreaterThan(1);
    expect(fake.sent).toHaveLength(999);
    expect(result.messageIds).toHaveLength(999);
    expect(result.ok).toBe(false);
    expect(result.partialFailures).toEqual([{ target: 'conversation', id: 'S:1688850000004017', reason: expect.stringContaining('对方无外部联系人权限'), code: -4017 }]);
    expect(result.details.targets).toHaveLength(1000);
    expect(result.details.targets[500]).toMatchObject({ ok: false, error: { code: -4017 } });
    expect(result.details.targets[501]).toMatchObject({ ok: true, conversationId: ids[501] });
  });

  it('stops a batch on an instance-wide error and marks the rest skipped', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `S:${1688851000000000 + i}`);
    const result = await gateway({ appSecret: 'as_wrong_secret' }).sendBatch(ids, { content: 'hi' }, { concurrency: 4 });
    expect(fake.requests.length).toBeLessThanOrEqual(4);
    expect(result.messageIds).toHaveLength(0);
    expect(result.details.targets.filter((t) => t.skipped)).toHaveLength(50 - fake.requests.length);
    expect(result.partialFailures).toHaveLength(50);
  });

  it('rejects a bad concurrency before any request', async () => {
    const error = await rejection(direct().sendBatch(['S:1'], { content: 'hi' }, { concurrency: 500 }));
    expect(error.kind).toBe('validation');
    expect(fake.requests).toHaveLength(0);
  });

  describe('send confirmation by appinfo', () => {
    let receiver: FakeServer;
    let channel: WeComHookChannel;

    beforeEach(async () => {
      channel = direct();
      receiver = await FakeServer.start((req) => {
        channel.confirmations.observe(parseWeComHookCallback(req.text));
        return { body: { success: true } };
      });
      await channel.setNotifyUrl(`${receiver.url}/juhe/callback`);
    });
    afterEach(async () => {
      await fake.settle();
      await receiver.close();
    });

    it('confirms each send when its 11013 echo arrives', async () => {
      const result = await channel.sendBatch(['S:1688852792312821', 'R:1970325468984112'], { content: 'hi' }, { confirm: true, confirmTimeoutMs: 5_000 });
      expect(result.details).toMatchObject({ confirmed: 2, unconfirmed: 0 });
      expect(result.details.targets.every((t) => t.confirmed === true)).toBe(true);
      expect(receiver.requests).toHaveLength(2);
    });

    it('confirms from a 11010 echo too', async () => {
      fake.echo = 11010;
      const result = await channel.send({ content: 'hi', to: 'S:1688852792312821', options: { confirm: true, confirmTimeoutMs: 5_000 } });
      expect(result.details.targets[0].confirmed).toBe(true);
    });

    it('reports unconfirmed when no echo arrives in time', async () => {
      fake.echo = 'none';
      const result = await channel.send({ content: 'hi', to: 'S:1688852792312821', options: { confirm: true, confirmTimeoutMs: 30 } });
      expect(result.ok).toBe(true);
      expect(result.details).toMatchObject({ confirmed: 0, unconfirmed: 1 });
      expect(result.details.targets[0].confirmed).toBe(false);
    });
  });

  it('rejects incomplete configs naming the field', () => {
    expect(() => createChannel({ type: 'wecom-hook', mode: 'direct', guid: GUID }, { transport })).toThrow(/config\.baseUrl/);
    expect(() => createChannel({ type: 'wecom-hook', mode: 'gateway', guid: GUID, appKey: 'k' }, { transport })).toThrow(/config\.appSecret/);
    expect(() => createChannel({ type: 'wecom-hook', baseUrl: fake.url, guid: ' ' }, { transport })).toThrow(/config\.guid/);
  });
});
