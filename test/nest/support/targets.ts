import type { ChannelConfig } from '@wxnotify/core';
import { startFakeRobot, startFakeWeCom } from '../../fakes/wecom';
import { envelope, FakeWxPusher } from '../../fakes/wxpusher';

/**
 * An upstream fake seen through what the Nest tests need: the channel config pointing at it,
 * what it accepted, and fault injection. Every fake enforces its upstream's documented rules.
 */
export interface Target {
  readonly label: string;
  readonly config: ChannelConfig;
  /** Contents the upstream accepted, in order. */
  delivered(): string[];
  /** Requests the fake received (token fetches and sends, answered or not). */
  upstreamRequests(): number;
  fail(count: number): void;
  hang(count: number): void;
  /** The upstream's "too many calls" answer on the next send. */
  rateLimit(count: number): void;
  close(): Promise<void>;
}

export async function wxPusherTarget(): Promise<Target> {
  const fake = await FakeWxPusher.start();
  return {
    label: 'wxpusher',
    config: { type: 'wxpusher', spt: 'SPT_fake_receiver_1', baseUrl: fake.url, timeoutMs: 60_000 } as ChannelConfig,
    delivered: () => fake.sends.map((s) => String(s.body.content)),
    upstreamRequests: () => fake.requests.length,
    fail: (count) => fake.server.injectFaults({ status: { code: 502, count } }),
    hang: (count) => fake.server.injectFaults({ hang: count }),
    rateLimit: (count) => {
      for (let i = 0; i < count; i++) fake.script(envelope(1001, '请求过于频繁，请稍后再试'));
    },
    close: () => fake.close(),
  };
}

/** The seed's case: a WeCom self-built app (token + message/send) on the strict WeCom fake. */
export async function weComAppTarget(): Promise<Target & { gettokenCalls(): number }> {
  const fake = await startFakeWeCom();
  return {
    label: 'wecom-app',
    config: { type: 'wecom-app', ...fake.credentials, baseUrl: fake.url, timeoutMs: 60_000, defaultTo: { users: ['zhangsan'] } } as ChannelConfig,
    delivered: () => fake.delivered.map((d) => String(d.payload.content ?? d.payload.description ?? '')),
    upstreamRequests: () => fake.server.requests.length,
    gettokenCalls: () => fake.gettokenCalls,
    fail: (count) => fake.failNext('message/send', -1, count),
    hang: (count) => fake.server.injectFaults({ hang: count }),
    rateLimit: () => fake.rateLimit('message/send', 60_000),
    close: () => fake.close(),
  };
}

/** A WeCom group robot (webhook key) on the strict robot fake: 20 messages per minute, 2048-byte text. */
export async function weComBotTarget(): Promise<Target> {
  const fake = await startFakeRobot();
  return {
    label: 'wecom-bot',
    config: { type: 'wecom-bot', key: fake.key, baseUrl: fake.url, timeoutMs: 60_000 } as ChannelConfig,
    delivered: () => fake.delivered.map((d) => String(d.payload.content ?? '')),
    upstreamRequests: () => fake.server.requests.length,
    fail: (count) => fake.failNext(-1, count),
    hang: (count) => fake.server.injectFaults({ hang: count }),
    rateLimit: (count) => fake.failNext(45009, count, 'api freq out of limit'),
    close: () => fake.close(),
  };
}
