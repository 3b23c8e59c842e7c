import { createChannel, NotifyError, type GewechatChannel, type WxPusherChannel } from '@wxnotify/core';
import { NodeHttpTransport } from '@wxnotify/core/node-http';
import { GewechatFake } from '../fakes/gewechat';
import { DEFAULT_APP_TOKEN, FakeWxPusher } from '../fakes/wxpusher';
import { EventClock } from '../support/event-clock';

const transport = new NodeHttpTransport();

describe('onQuota on WxPusher and personal WeChat (the same gate)', () => {
  it('gewechat: 40 texts at once to one chat go out as 30 plus one merged text after the minute, in order', async () => {
    const clock = new EventClock();
    const fake = await GewechatFake.start();
    try {
      const channel = createChannel({ type: 'gewechat', baseUrl: fake.baseUrl, token: fake.token, appId: fake.appId }, { clock, transport: clock.track(transport) }) as GewechatChannel;
      const t0 = clock.now();
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => channel.send({ content: `告警 ${i + 1}`, to: 'wxid_friend_a' })));
      expect(fake.sent).toHaveLength(31);
      const texts = fake.sent.map((s) => String(s.body.content));
      expect(texts.flatMap((t) => [...t.matchAll(/告警 (\d+)/g)].map((m) => Number(m[1])))).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      expect(texts[30]).toMatch(/^【合并 10 条通知 #1】/);
      expect(results.slice(30).every((r) => r.coalesced?.items === 10 && r.queuedMs! >= 60_000)).toBe(true);
      expect(clock.now() - t0).toBeGreaterThanOrEqual(60_000);
    } finally {
      await fake.close();
    }
  });

  it("wxpusher: coalescing honours the caller's wait bound (retry.maxWaitMs), like the other channels' gates", async () => {
    const clock = new EventClock();
    const fake = await FakeWxPusher.start({ clock });
    try {
      const channel = createChannel({ type: 'wxpusher', appToken: DEFAULT_APP_TOKEN, baseUrl: fake.url }, { clock, transport: clock.track(transport), retry: { maxWaitMs: 3000 } }) as WxPusherChannel;
      const t0 = clock.now();
      const settled = await Promise.allSettled(Array.from({ length: 21 }, (_, i) => channel.send({ content: `n${i}`, to: { uids: ['UID_alice'] } })));
      expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(20);
      // The next slot is up to 10 s away, past the 3 s bound: answered at once, not merged later.
      expect((settled[20] as PromiseRejectedResult).reason).toMatchObject({ code: 'QUOTA_EXCEEDED', retryable: true, channel: 'wxpusher' });
      expect(clock.now() - t0).toBeLessThan(3000);
      expect(fake.sends).toHaveLength(20);
    } finally {
      await fake.close();
    }
  });

  it('wxpusher: fail mode rejects the 21st call inside 10 s with QUOTA_EXCEEDED and retryAfterMs', async () => {
    const clock = new EventClock();
    const fake = await FakeWxPusher.start({ clock });
    try {
      const channel = createChannel({ type: 'wxpusher', appToken: DEFAULT_APP_TOKEN, baseUrl: fake.url, onQuota: 'fail' }, { clock, transport: clock.track(transport) }) as WxPusherChannel;
      const settled = await Promise.allSettled(Array.from({ length: 21 }, (_, i) => channel.send({ content: `n${i}`, to: { uids: ['UID_alice'] } })));
      expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(20);
      const error = (settled[20] as PromiseRejectedResult).reason as NotifyError;
      expect(error).toMatchObject({ code: 'QUOTA_EXCEEDED', retryable: true, channel: 'wxpusher' });
      expect(error.retryAfterMs).toBeGreaterThan(0);
      expect(error.retryAfterMs).toBeLessThanOrEqual(10_000);
      expect(fake.sends).toHaveLength(20);
    } finally {
      await fake.close();
    }
  });
});
