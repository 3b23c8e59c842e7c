import { createChannel, MemoryTokenStore, NotifyError, type SendResult, type WeComAppChannel, type WeComAppConfig } from '@wxnotify/core';
import { NodeHttpTransport } from '@wxnotify/core/node-http';
import { startFakeWeCom, type FakeWeCom } from '../fakes/wecom';
import { EventClock } from '../support/event-clock';

const transport = new NodeHttpTransport();
let wecom: FakeWeCom;
let clock: EventClock;

async function setup(config: Partial<WeComAppConfig> = {}): Promise<WeComAppChannel> {
  clock = new EventClock();
  wecom = await startFakeWeCom({ clock });
  return createChannel(
    { type: 'wecom-app', ...wecom.credentials, baseUrl: wecom.url, ...config },
    { clock, transport: clock.track(transport), tokenStore: new MemoryTokenStore() },
  ) as WeComAppChannel;
}

afterEach(() => wecom?.close());

/** The most messages one member received inside any 60 s. */
function busiestMinute(times: number[]): number {
  let most = 0;
  for (let i = 0; i < times.length; i++) most = Math.max(most, times.filter((t) => t >= times[i] && t < times[i] + 60_000).length);
  return most;
}

function textOf(d: { payload: Record<string, unknown> }): string {
  return String(d.payload.content ?? '');
}

const alert = (i: number) => ({ title: `告警 ${i}`, content: `host-${i} disk 95%\nsecond line ${i}\nthird\nfourth\nfifth`, to: { users: ['zhangsan'] } });

describe('wecom-app storms: per-member quota, coalescing by default', () => {
  it('100 alerts to one member at once: all 100 reach the member, none dropped, ≤ 30 a minute, in order, within 65 s', async () => {
    const channel = await setup();
    const t0 = clock.now();
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => channel.send(alert(i + 1))));
    const received = wecom.receivedBy('zhangsan');
    expect(wecom.quotaDrops).toBe(0);
    expect(busiestMinute(received.map((d) => d.at))).toBeLessThanOrEqual(30);
    expect(Math.max(...received.map((d) => d.at)) - t0).toBeLessThanOrEqual(65_000);
    // Every alert's title is in what the member saw, in the order they were sent.
    const seen = received.flatMap((d) => [...textOf(d).matchAll(/告警 (\d+)/g)].map((m) => Number(m[1])));
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(results.every((r) => r.ok)).toBe(true);
    // The first 30 went alone; the rest were merged, and each knows which message carried it.
    expect(results.slice(0, 30).every((r) => r.coalesced === undefined)).toBe(true);
    const merged = results.slice(30);
    expect(merged.every((r) => r.coalesced?.reason === 'quota')).toBe(true);
    const positions = merged.map((r) => r.coalesced!.position);
    expect(positions[0]).toBe(1);
    for (const r of merged) {
      expect(r.messageIds).toHaveLength(1);
      const carrier = received.find((d) => d.msgid === r.messageIds[0])!;
      expect(textOf(carrier)).toContain(`【合并 ${r.coalesced!.items} 条通知`);
    }
    for (const [i, r] of merged.entries()) {
      const carrier = received.find((d) => d.msgid === r.messageIds[0])!;
      expect(textOf(carrier)).toContain(`告警 ${i + 31}`);
      expect(r.queuedMs).toBeGreaterThanOrEqual(60_000);
    }
    expect(results[0].duplicateCheckSeconds).toBe(300);
  });

  it('splits merged messages at 2,048 bytes with whole items, moves what does not fit to the next slot, drops nothing', async () => {
    // 2 messages a minute: each slot carries what fits in its parts; the rest waits for the next.
    const channel = await setup({ quotas: { perMemberPerMinute: { limit: 2 } } });
    const long = (i: number) => ({ title: `长告警 ${i}`, content: `${'磁盘使用率过高 '.repeat(20)}\n${'第二行 '.repeat(30)}\n第三行\n第四行`, to: { users: ['zhangsan'] } });
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => channel.send(long(i + 1))));
    const received = wecom.receivedBy('zhangsan');
    expect(wecom.quotaDrops).toBe(0);
    expect(received.every((d) => !d.truncated && Buffer.byteLength(textOf(d)) <= 2048)).toBe(true);
    expect(busiestMinute(received.map((d) => d.at))).toBeLessThanOrEqual(2);
    const seen = received.flatMap((d) => [...textOf(d).matchAll(/长告警 (\d+)/g)].map((m) => Number(m[1])));
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    // More than one slot was needed, and a merged message of several parts says so.
    expect(new Set(results.map((r) => r.messageIds[0])).size).toBe(received.length);
    expect(received.some((d) => /\(1\/2\)/.test(textOf(d)))).toBe(true);
    expect(received.some((d) => /\(2\/2\)/.test(textOf(d)))).toBe(true);
  });

  it('wait mode sends the 31st to 40th unchanged once the minute has passed', async () => {
    const channel = await setup({ onQuota: 'wait' });
    const t0 = clock.now();
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => channel.send({ content: `wait ${i + 1}`, to: { users: ['zhangsan'] } })));
    const received = wecom.receivedBy('zhangsan');
    expect(received.map(textOf)).toEqual(Array.from({ length: 40 }, (_, i) => `wait ${i + 1}`));
    expect(received.slice(30).every((d) => d.at >= t0 + 60_000)).toBe(true);
    expect(results.every((r) => r.ok && r.coalesced === undefined)).toBe(true);
    expect(wecom.quotaDrops).toBe(0);
  });

  it('fail mode rejects the 31st with a retryable QUOTA_EXCEEDED carrying retryAfterMs, and sends nothing for it', async () => {
    const channel = await setup({ onQuota: 'fail' });
    const settled = await Promise.allSettled(Array.from({ length: 31 }, (_, i) => channel.send({ content: `fail ${i + 1}`, to: { users: ['zhangsan'] } })));
    expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(30);
    const error = (settled[30] as PromiseRejectedResult).reason as NotifyError;
    expect(error).toBeInstanceOf(NotifyError);
    expect(error).toMatchObject({ code: 'QUOTA_EXCEEDED', kind: 'quota', retryable: true, channel: 'wecom-app' });
    expect(error.retryAfterMs).toBeGreaterThan(59_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(61_000);
    expect(error.hint).toMatch(/配额/);
    expect(wecom.receivedBy('zhangsan')).toHaveLength(30);
    // Others are not held by zhangsan's budget.
    await expect(channel.send({ content: 'other', to: { users: ['lisi'] } })).resolves.toMatchObject({ ok: true });
  });

  it('an abort takes a send out of the queue while it waits for a slot: ABORTED, nothing sent for it', async () => {
    const channel = await setup();
    const first = Array.from({ length: 30 }, (_, i) => channel.send({ content: `in budget ${i + 1}`, to: { users: ['zhangsan'] } }));
    const controller = new AbortController();
    const waiting = channel.send({ content: 'will be aborted', to: { users: ['zhangsan'] } }, { signal: controller.signal });
    const kept = channel.send({ content: 'kept', to: { users: ['zhangsan'] } });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'ABORTED', deliveryUnknown: false });
    await Promise.all([...first, kept]);
    const texts = wecom.receivedBy('zhangsan').map(textOf);
    expect(texts.some((t) => t.includes('will be aborted'))).toBe(false);
    expect(texts.at(-1)).toBe('kept');
  });

  it('budgets a party as one key, and the hour quota too', async () => {
    const channel = await setup({ quotas: { perMemberPerMinute: false, perMemberPerHour: { limit: 5, windowMs: 3_600_000 } } });
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => channel.send({ content: `party ${i + 1}`, to: { parties: [2] } })));
    // Party 2 holds zhangsan and lisi (the fake's directory): 5 messages each, then one merged.
    for (const member of ['zhangsan', 'lisi']) {
      const got = wecom.receivedBy(member);
      expect(got.length).toBeLessThanOrEqual(6);
      expect(got.flatMap((d) => [...textOf(d).matchAll(/party (\d)/g)].map((m) => Number(m[1])))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    }
    expect(wecom.quotaDrops).toBe(0);
    expect(results.slice(5).every((r) => r.coalesced?.items === 3)).toBe(true);
  });

  it('merged messages never trip the duplicate check: identical storms twice in 300 s both arrive', async () => {
    const channel = await setup({ quotas: { perMemberPerMinute: { limit: 1 } } });
    const storm = (n: number): Promise<SendResult[]> => Promise.all(Array.from({ length: n }, () => channel.send({ content: 'same alert', to: { users: ['zhangsan'] } })));
    await storm(3); // one alone, then two merged
    await storm(2); // two merged again: the same items, yet a different message
    expect(wecom.receivedBy('zhangsan')).toHaveLength(3);
    expect(wecom.duplicatesSuppressed).toBe(0);
    const merged = wecom.receivedBy('zhangsan').filter((d) => textOf(d).startsWith('【合并'));
    expect(merged.length).toBeGreaterThanOrEqual(2);
    expect(new Set(merged.map(textOf)).size).toBe(merged.length);
  });
});
