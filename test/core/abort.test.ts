import { createChannel, MemoryTokenStore, systemClock, type Clock, type Transport, type WeComAppChannel, type WeComBotChannel } from '@wxnotify/core';
import { AxiosTransport } from '@wxnotify/core/axios';
import { NodeHttpTransport } from '@wxnotify/core/node-http';
import { startFakeRobot, startFakeWeCom, type FakeWeCom } from '../fakes/wecom';
import { VirtualClock } from '../support/virtual-clock';
import { rejection } from '../support/notify-errors';

/** A clock whose sleeps last until aborted: any wait that an abort does not end fails the test by timeout. */
class EndlessClock implements Clock {
  sleeps = 0;
  constructor(private readonly honoursSignal: boolean) {}
  now(): number {
    return Date.now();
  }
  sleep(_ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps++;
    return new Promise((resolve) => {
      if (this.honoursSignal) signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  }
}

/** Polls until `condition` holds (no fixed sleeps). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}

/** Gives any stray request time to show up at the fake (a few loop turns, not a timing assertion). */
const settle = () => new Promise((r) => setTimeout(r, 50));

const to = { users: ['zhangsan'] };

describe('AbortSignal through the pipeline (wecom-app on the strict fake)', () => {
  let wecom: FakeWeCom;
  let transport: NodeHttpTransport;
  const channel = (options: { clock?: Clock; transport?: Transport; retry?: Record<string, number> } = {}) =>
    createChannel(
      { type: 'wecom-app', ...wecom.credentials, baseUrl: wecom.url },
      { transport: options.transport ?? transport, clock: options.clock ?? new VirtualClock(), tokenStore: new MemoryTokenStore(), retry: options.retry, random: () => 0.5 },
    ) as WeComAppChannel;

  beforeEach(async () => {
    wecom = await startFakeWeCom();
    transport = new NodeHttpTransport();
  });
  afterEach(async () => {
    transport.close();
    await wecom.close();
  });

  it('an aborted hung send fails with ABORTED (delivery unknown) and sends nothing more', async () => {
    const app = channel();
    await app.send({ content: 'warm the token', to });
    wecom.server.injectFaults({ hang: 10 });
    const controller = new AbortController();
    const sending = app.send({ content: 'hangs', to }, { signal: controller.signal });
    const before = wecom.server.requests.length;
    await until(() => wecom.server.requests.length === before + 1);
    controller.abort();
    const error = await rejection(sending);
    expect(error).toMatchObject({ code: 'ABORTED', kind: 'aborted', retryable: false, deliveryUnknown: true, operation: 'message/send' });
    expect(error.hint).toMatch(/^发送已中止/);
    await settle();
    expect(wecom.server.requests.length).toBe(before + 1);
  });

  it('a signal aborted before the send sends nothing', async () => {
    const app = channel();
    const error = await rejection(app.send({ content: 'never', to }, { signal: AbortSignal.abort() }));
    expect(error).toMatchObject({ code: 'ABORTED', deliveryUnknown: false });
    expect(wecom.server.requests).toHaveLength(0);
  });

  it('an abort ends a retry backoff (clock honouring the signal, and one ignoring it like n8n sleep)', async () => {
    for (const honours of [true, false]) {
      const clock = new EndlessClock(honours);
      const app = channel({ clock });
      await app.send({ content: 'warm', to });
      wecom.failNext('message/send', -1);
      const controller = new AbortController();
      const sending = app.send({ content: 'busy then backoff', to }, { signal: controller.signal });
      await until(() => clock.sleeps === 1);
      const sends = wecom.sendCalls;
      controller.abort();
      const error = await rejection(sending);
      // The failed attempt was answered (-1 system busy): nothing of this send can have arrived.
      expect(error).toMatchObject({ code: 'ABORTED', deliveryUnknown: false, retryable: false });
      await settle();
      expect(wecom.sendCalls).toBe(sends);
    }
  });

  it('systemClock.sleep ends on abort and clears its timer', async () => {
    const controller = new AbortController();
    const sleeping = systemClock.sleep(600_000, controller.signal);
    controller.abort();
    await expect(sleeping).resolves.toBeUndefined();
  });

  it('an abort ends the wait of a 45009 window (a real 60 s block on the system clock)', async () => {
    const app = channel({ clock: systemClock, retry: { rateLimitWaitMs: 600_000 } });
    await app.send({ content: 'warm', to });
    wecom.rateLimit('message/send', 600_000);
    const controller = new AbortController();
    const sending = app.send({ content: 'rate limited', to }, { signal: controller.signal });
    await until(() => wecom.sendCalls === 2);
    controller.abort();
    expect(await rejection(sending)).toMatchObject({ code: 'ABORTED', deliveryUnknown: false });
    // A second send of the same app, now held by the block, aborts while waiting too.
    const held = new AbortController();
    const waiting = app.send({ content: 'held', to }, { signal: held.signal });
    await settle();
    held.abort();
    expect(await rejection(waiting)).toMatchObject({ code: 'ABORTED', deliveryUnknown: false });
    expect(wecom.sendCalls).toBe(2);
  });

  it('a request still queued for a socket is not on the wire: aborting it reports nothing delivered', async () => {
    const single = new NodeHttpTransport({ maxSockets: 1 });
    try {
      const app = channel({ transport: single });
      await app.send({ content: 'warm', to });
      wecom.server.injectFaults({ hang: 1 });
      const first = new AbortController();
      const hung = app.send({ content: 'holds the only socket', to }, { signal: first.signal });
      await until(() => wecom.server.requests.length === 3);
      const second = new AbortController();
      const queued = app.send({ content: 'queued behind it', to }, { signal: second.signal });
      await settle();
      second.abort();
      expect(await rejection(queued)).toMatchObject({ code: 'ABORTED', deliveryUnknown: false });
      first.abort();
      expect(await rejection(hung)).toMatchObject({ code: 'ABORTED', deliveryUnknown: true });
      await settle();
      expect(wecom.server.requests).toHaveLength(3);
    } finally {
      single.close();
    }
  });

  it('the shared token fetch: one caller aborting does not fail the others; all aborting aborts it', async () => {
    const app = channel();
    wecom.server.injectFaults({ delayMs: 100 });
    const a = new AbortController();
    const aborted = app.send({ content: 'A', to }, { signal: a.signal });
    const kept = app.send({ content: 'B', to });
    await until(() => wecom.gettokenCalls === 1 || wecom.server.requests.length === 1);
    a.abort();
    expect(await rejection(aborted)).toMatchObject({ code: 'ABORTED', deliveryUnknown: false, operation: 'message/send' });
    await expect(kept).resolves.toMatchObject({ ok: true });
    expect(wecom.delivered.map((d) => d.payload.content)).toEqual(['B']);

    const fresh = channel();
    wecom.server.injectFaults({ hang: 1 });
    const only = new AbortController();
    const sending = fresh.send({ content: 'C', to }, { signal: only.signal });
    const before = wecom.server.requests.length;
    await until(() => wecom.server.requests.length === before + 1);
    only.abort();
    expect(await rejection(sending)).toMatchObject({ code: 'ABORTED', deliveryUnknown: false });
    await settle();
    expect(wecom.server.requests.length).toBe(before + 1);
  });

  it('a send queued for the member quota (30 a minute) leaves the queue on abort: never sent later', async () => {
    const clock = new EndlessClock(true);
    const app = channel({ clock });
    await Promise.all(Array.from({ length: 30 }, (_, i) => app.send({ content: `within quota ${i}`, to })));
    const controller = new AbortController();
    const queued = app.send({ content: 'over quota', to }, { signal: controller.signal });
    await until(() => clock.sleeps >= 1);
    controller.abort();
    expect(await rejection(queued)).toMatchObject({ code: 'ABORTED', deliveryUnknown: false, retryable: false });
    // A later send for the same member queues again (the group was emptied), nothing carries the aborted one.
    const later = new AbortController();
    const next = app.send({ content: 'also over quota', to }, { signal: later.signal });
    await until(() => clock.sleeps >= 2);
    later.abort();
    await rejection(next);
    expect(wecom.delivered.map((d) => String(d.payload.content))).not.toContain('over quota');
    expect(wecom.sendCalls).toBe(30);
  });

  it('the optional AxiosTransport aborts a hung request too', async () => {
    const axios = new AxiosTransport();
    try {
      const app = channel({ transport: axios });
      await app.send({ content: 'warm', to });
      wecom.server.injectFaults({ hang: 1 });
      const controller = new AbortController();
      const sending = app.send({ content: 'hangs', to }, { signal: controller.signal });
      await until(() => wecom.server.requests.length === 3);
      controller.abort();
      expect(await rejection(sending)).toMatchObject({ code: 'ABORTED', deliveryUnknown: true });
    } finally {
      axios.close();
    }
  });
});

describe('AbortSignal between the parts of a robot message', () => {
  it('parts already sent are reported in `partial`; the rest never leave', async () => {
    const robot = await startFakeRobot();
    const transport = new NodeHttpTransport();
    try {
      // One message per window: the second part waits for the pace, and the abort ends that wait.
      const clock = new EndlessClock(true);
      const bot = createChannel({ type: 'wecom-bot', key: robot.key, baseUrl: robot.url, perMinute: 1 }, { transport, clock }) as WeComBotChannel;
      const controller = new AbortController();
      const long = ['一'.repeat(600), '二'.repeat(600), '三'.repeat(600)].join('\n');
      const sending = bot.send({ content: long }, { signal: controller.signal });
      await until(() => robot.delivered.length === 1 && clock.sleeps === 1);
      controller.abort();
      const error = await rejection(sending);
      expect(error).toMatchObject({ code: 'ABORTED', deliveryUnknown: false });
      expect(error.partial).toMatchObject({ ok: false, parts: 1, details: { failedPart: 2, totalParts: 3 } });
      await settle();
      expect(robot.delivered).toHaveLength(1);
    } finally {
      transport.close();
      await robot.close();
    }
  });
});
