import {
  createChannel,
  MemoryTokenStore,
  weComAppErrors,
  type CachedToken,
  type TokenStore,
  type WeComAppChannel,
  type WeComAppConfig,
} from '@wxnotify/core';
import { startFakeWeCom, type FakeWeComOptions } from '../fakes/wecom';
import { VirtualClock } from '../support/virtual-clock';
import { rejection } from '../support/notify-errors';

/** Records the keys the channel uses, to prove the raw secret never becomes part of one. */
class RecordingStore implements TokenStore {
  readonly keys = new Set<string>();
  private readonly inner = new MemoryTokenStore();
  get(key: string) {
    this.keys.add(key);
    return this.inner.get(key);
  }
  set(key: string, token: CachedToken) {
    this.keys.add(key);
    return this.inner.set(key, token);
  }
  deleteIf(key: string, value: string) {
    return this.inner.deleteIf(key, value);
  }
}

async function setup(options: FakeWeComOptions = {}, config: Partial<WeComAppConfig> = {}) {
  const clock = new VirtualClock();
  const store = new RecordingStore();
  const wecom = await startFakeWeCom({ clock, ...options });
  const channel = createChannel(
    { type: 'wecom-app', ...wecom.credentials, baseUrl: wecom.url, ...config },
    { clock, tokenStore: store, random: () => 0.5 },
  ) as WeComAppChannel;
  return { clock, wecom, channel, store };
}

const to = { users: ['zhangsan'] };

describe('wecom-app: access_token single flight', () => {
  it('1,000 concurrent cold sends fetch one token; 1,000 sends meeting 42001 refresh once and replay once each', async () => {
    const { wecom, channel, store } = await setup();
    // One member each: 1,000 messages to one member would (rightly) be coalesced at 30/min.
    const cold = await Promise.all(Array.from({ length: 1000 }, (_, i) => channel.send({ content: `cold ${i}`, to: { users: [`member${i}`] } })));
    expect(wecom.gettokenCalls).toBe(1);
    expect(wecom.sendCalls).toBe(1000);
    expect(cold.every((r) => r.ok && r.retries === 0)).toBe(true);

    const first = wecom.issuedToken!;
    wecom.invalidateTokens(42001);
    const warm = await Promise.all(Array.from({ length: 1000 }, (_, i) => channel.send({ content: `after ${i}`, to: { users: [`member${i}`] } })));
    expect(wecom.gettokenCalls).toBe(2);
    expect(wecom.sendCalls).toBe(3000);
    expect(warm.every((r) => r.ok && r.retries === 1 && r.requests === 2)).toBe(true);
    expect(wecom.delivered).toHaveLength(2000);
    expect(wecom.issuedToken).not.toBe(first);
    // Late 42001 answers for the old token (most of the 1,000) did not drop the fresh one.
    await channel.send({ content: 'one more', to });
    expect(wecom.gettokenCalls).toBe(2);
    for (const key of store.keys) expect(key).not.toContain(wecom.corpSecret);
    await wecom.close();
  });

  it('refreshes on 40014 too, and fetches a new token when the old one expires on the clock', async () => {
    const { wecom, channel, clock } = await setup();
    await channel.send({ content: 'a', to });
    wecom.invalidateTokens(40014);
    expect((await channel.send({ content: 'b', to })).retries).toBe(1);
    expect(wecom.gettokenCalls).toBe(2);
    clock.advance((7200 - 299) * 1000); // inside the 300 s early-refresh margin
    expect((await channel.send({ content: 'c', to })).retries).toBe(0);
    expect(wecom.gettokenCalls).toBe(3);
    await wecom.close();
  });

  it('replays only once: a second token rejection fails', async () => {
    const { wecom, channel } = await setup();
    await channel.send({ content: 'a', to });
    wecom.failNext('message/send', 42001, 2);
    const error = await rejection(channel.send({ content: 'b', to }));
    expect(error.code).toBe(42001);
    expect(wecom.sendCalls).toBe(3);
    await wecom.close();
  });
});

describe('wecom-app: retries, rate limits and hard failures', () => {
  it('retries resets, 5xx and -1 with backoff on the injected clock', async () => {
    const { wecom, channel, clock } = await setup();
    await channel.send({ content: 'warm', to });
    wecom.server.injectFaults({ reset: 2 });
    expect(await channel.send({ content: 'r', to })).toMatchObject({ ok: true, requests: 3, retries: 2 });
    wecom.server.injectFaults({ status: { code: 502, count: 3 } });
    expect(await channel.send({ content: 's', to })).toMatchObject({ ok: true, requests: 4, retries: 3 });
    wecom.failNext('message/send', -1, 2);
    wecom.failNext('message/send', 45033, 1);
    expect(await channel.send({ content: 'b', to })).toMatchObject({ ok: true, requests: 4, retries: 3 });
    expect(clock.slept).toBeGreaterThan(0);
    expect(wecom.delivered.map((d) => d.payload.content)).toEqual(['warm', 'r', 's', 'b']);
    await wecom.close();
  });

  it('gives up after maxAttempts with a retryable network error', async () => {
    const { wecom, channel } = await setup();
    await channel.send({ content: 'warm', to });
    wecom.server.injectFaults({ reset: 10 });
    const error = await rejection(channel.send({ content: 'x', to }));
    expect(error).toMatchObject({ kind: 'network', retryable: true });
    expect(wecom.server.calls('/message/send')).toHaveLength(1 + 4);
    // A one-call send reports what it tried, whether it failed on the first attempt or later.
    expect(error.partial).toMatchObject({ ok: false, parts: 0, batches: 1, requests: 4, retries: 3, messageIds: [], details: { failedPart: 1, totalParts: 1 } });
    wecom.server.injectFaults({});
    wecom.failNext('message/send', 40056);
    const first = await rejection(channel.send({ content: 'y', to }));
    expect(first).toMatchObject({ code: 40056, retryable: false });
    expect(first.partial).toMatchObject({ ok: false, parts: 0, batches: 1, requests: 1, retries: 0, details: { failedPart: 1, totalParts: 1, deliveredBatchesOfFailedPart: 0 } });
    await wecom.close();
  });

  it('45009 waits out the window once for the whole app, without hammering', async () => {
    const { wecom, channel, clock } = await setup();
    await channel.send({ content: 'warm', to });
    wecom.rateLimit('message/send', 60_000);
    const before = clock.now();
    const results = await Promise.all([1, 2, 3].map((i) => channel.send({ content: `m${i}`, to })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(clock.now() - before).toBeGreaterThanOrEqual(60_000);
    // Each send hit 45009 at most once; nobody retried inside the window.
    expect(wecom.errors.filter((c) => c === 45009).length).toBeLessThanOrEqual(3);
    expect(wecom.sendCalls).toBeLessThanOrEqual(1 + 3 * 2);
    await wecom.close();
  });

  it('60020 fails at once with the reported IP in fromIp and the hint', async () => {
    const { wecom, channel } = await setup({ trustedIps: ['203.0.113.7'] });
    const error = await rejection(channel.send({ content: 'x', to }));
    expect(error).toMatchObject({ code: 60020, retryable: false, fromIp: '127.0.0.1', kind: 'upstream', operation: 'message/send' });
    expect(error.hint).toContain('127.0.0.1');
    expect(error.hint).toMatch(/trusted IP/);
    expect(error.hint).toMatch(/baseUrl/);
    expect(wecom.sendCalls).toBe(1);
    await wecom.close();
  });

  it('fails fast on config errors from gettoken and blocks after repeated wrong secrets', async () => {
    const wrong = await setup({}, { corpSecret: 'definitely-wrong-secret-123' });
    const e1 = await rejection(wrong.channel.send({ content: 'x', to }));
    expect(e1).toMatchObject({ code: 40001, operation: 'gettoken', retryable: false });
    for (let i = 0; i < 5; i++) await rejection(wrong.channel.send({ content: 'x', to }));
    const blocked = await rejection(wrong.channel.send({ content: 'x', to }));
    expect(blocked).toMatchObject({ code: 45009, operation: 'gettoken', retryable: false });
    expect(blocked.hint).toMatch(/1 hour/);
    expect(wrong.wecom.sendCalls).toBe(0);
    await wrong.wecom.close();
    const corp = await setup({}, { corpId: 'wwwrongcorp' });
    expect((await rejection(corp.channel.send({ content: 'x', to }))).code).toBe(40013);
    await corp.wecom.close();
  });

  it('every error-table row does what it says (iterated)', async () => {
    const { wecom, channel } = await setup();
    await channel.send({ content: 'warm', to });
    for (const [code, rule] of Object.entries(weComAppErrors)) {
      const callsBefore = wecom.sendCalls;
      wecom.failNext('message/send', Number(code), 1);
      const attempt = channel.send({ content: `row ${code}`, to });
      if (rule.action === 'fail') {
        const error = await rejection(attempt);
        expect({ code: error.code, retryable: error.retryable, hint: error.hint }).toEqual({
          code: Number(code),
          retryable: false,
          hint: rule.hint.replace('{fromIp}', '127.0.0.1'),
        });
        expect(wecom.sendCalls - callsBefore).toBe(1);
      } else {
        const result = await attempt;
        expect({ code, retries: result.retries }).toEqual({ code, retries: 1 });
        expect(wecom.sendCalls - callsBefore).toBe(2);
      }
    }
    await wecom.close();
  });

  it('maps an unknown code to a failure pointing at the lookup page', async () => {
    const { wecom, channel } = await setup();
    await channel.send({ content: 'warm', to });
    wecom.failNext('message/send', 12345);
    const error = await rejection(channel.send({ content: 'x', to }));
    expect(error.hint).toContain('query?e=12345');
    await wecom.close();
  });
});

describe('wecom-app: nothing delivered twice, nothing lost silently', () => {
  it('a retry after a lost answer is absorbed by the duplicate check', async () => {
    const { wecom, channel } = await setup({}, { timeoutMs: 300 });
    await channel.send({ content: 'warm', to });
    wecom.hangAfterDelivery(1);
    const result = await channel.send({ content: 'exactly once', to });
    expect(result).toMatchObject({ ok: true, retries: 1 });
    expect(wecom.sendCalls).toBe(3);
    expect(wecom.delivered.filter((d) => d.payload.content === 'exactly once')).toHaveLength(1);
    expect(wecom.duplicatesSuppressed).toBe(1);
    expect(wecom.delivered[1].body).toMatchObject({ enable_duplicate_check: 1, duplicate_check_interval: 300 });
    await wecom.close();
  });

  it('duplicate check is configurable per channel and per message', async () => {
    const { wecom, channel } = await setup({}, { duplicateCheckIntervalSeconds: 0 });
    await channel.send({ content: 'a', to });
    await channel.send({ content: 'b', to, options: { duplicateCheck: 3600 } });
    expect(wecom.delivered[0].body.enable_duplicate_check).toBeUndefined();
    expect(wecom.delivered[1].body).toMatchObject({ enable_duplicate_check: 1, duplicate_check_interval: 3600 });
    await wecom.close();
  });

  it('a multi-part send failing midway reports what was delivered', async () => {
    const { wecom, channel } = await setup();
    await channel.send({ content: 'warm', to });
    wecom.failNext('message/send', 0, 1);
    wecom.failNext('message/send', 82004, 1);
    const content = Array.from({ length: 300 }, (_, i) => `line ${i} ${'x'.repeat(20)}`).join('\n');
    const error = await rejection(channel.send({ content, to }));
    expect(error.code).toBe(82004);
    expect(error.partial).toMatchObject({ ok: false, parts: 1, messageIds: [expect.any(String)], details: { failedPart: 2 } });
    expect((error.partial!.details as { totalParts: number }).totalParts).toBeGreaterThan(2);
    expect(wecom.delivered).toHaveLength(2);
    await wecom.close();
  });

  it('a multi-batch send failing in one batch reports the delivered batches', async () => {
    const { wecom, channel } = await setup({}, { concurrency: 1 });
    await channel.send({ content: 'warm', to });
    wecom.failNext('message/send', 0, 2);
    wecom.failNext('message/send', 82004, 1);
    const users = Array.from({ length: 3500 }, (_, i) => `u${i}`);
    const error = await rejection(channel.send({ content: 'hello', to: { users } }));
    expect(error.partial).toMatchObject({ parts: 0, batches: 4, messageIds: [expect.any(String), expect.any(String), expect.any(String)] });
    expect((error.partial!.details as { deliveredBatchesOfFailedPart: number }).deliveredBatchesOfFailedPart).toBe(3);
    await wecom.close();
  });
});

describe('wecom-app: secrets stay secret', () => {
  it('never puts the secret or the token into error messages or JSON', async () => {
    const { wecom, channel } = await setup();
    await channel.send({ content: 'warm', to });
    const token = wecom.issuedToken!;
    wecom.failNext('message/send', 40058, 1, `bad request for access_token=${token} secret ${wecom.corpSecret} token ${token}`);
    const error = await rejection(channel.send({ content: 'x', to }));
    wecom.server.injectFaults({ status: { code: 400, count: 1 } });
    const http = await rejection(channel.send({ content: 'y', to }));
    for (const e of [error, http]) {
      const text = `${e.message} ${JSON.stringify(e)} ${e.hint} ${e.upstreamMessage}`;
      expect(text).not.toContain(token);
      expect(text).not.toContain(wecom.corpSecret);
    }
    expect(error.message).toContain('***');
    const wrong = await setup({}, { corpSecret: 'super-secret-value-42' });
    const e = await rejection(wrong.channel.send({ content: 'x', to }));
    expect(`${e.message} ${JSON.stringify(e)}`).not.toContain('super-secret-value-42');
    await wrong.wecom.close();
    await wecom.close();
  });
});
