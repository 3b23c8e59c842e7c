import { codePoints, createChannel, MemoryRateLimiter, wxPusherErrorTable, type ChannelDeps, type WxPusherConfig, type WxPusherSendDetails } from '@wxnotify/core';
import { AxiosTransport } from '@wxnotify/core/axios';
import { DEFAULT_APP_TOKEN, envelope, FakeWxPusher, type FakeWxPusherOptions } from '../fakes/wxpusher';
import { VirtualClock } from '../support/virtual-clock';
import { rejection } from '../support/notify-errors';

const transport = new AxiosTransport();
let fake: FakeWxPusher;
let clock: VirtualClock;

async function start(options: FakeWxPusherOptions = {}): Promise<void> {
  clock = new VirtualClock();
  fake = await FakeWxPusher.start({ clock, ...options });
}

function channel(config: Partial<WxPusherConfig> = {}, deps: Partial<ChannelDeps> = {}) {
  return createChannel({ type: 'wxpusher', appToken: DEFAULT_APP_TOKEN, baseUrl: fake.url, ...config } as WxPusherConfig, { transport, clock, random: () => 0.5, ...deps });
}

const sentBodies = () => fake.sends.map((s) => s.body);
const uids = (n: number) => Array.from({ length: n }, (_, i) => `UID_${String(i).padStart(5, '0')}`);

afterEach(async () => {
  await fake?.close();
});

describe('WxPusher standard push', () => {
  beforeEach(() => start({ unreachableUids: ['UID_gone'] }));

  it('maps format to contentType and sends verifyPayType, summary and url with the documented names', async () => {
    const wx = channel();
    const cases = [
      ['text', 1],
      ['html', 2],
      ['markdown', 3],
    ] as const;
    for (const [format, contentType] of cases) {
      await wx.send({ content: `<b>${format}</b>`, format, to: { uids: ['UID_alice'] } });
      expect(sentBodies().at(-1)).toMatchObject({ contentType, uids: ['UID_alice'] });
    }
    await wx.send({ content: 'x', summary: 'card', url: 'https://example.com/a', to: { topicIds: [7] }, options: { verifyPayType: 1 } });
    const body = sentBodies().at(-1)!;
    expect(body).toEqual({ appToken: DEFAULT_APP_TOKEN, content: 'x', contentType: 1, summary: 'card', url: 'https://example.com/a', topicIds: [7], verifyPayType: 1 });
    expect(body).not.toHaveProperty('verifyPay');
    expect(body).not.toHaveProperty('verifyPayload');
  });

  it('uses the title as summary and heading', async () => {
    await channel().send({ title: 'Disk full', content: 'sda1 at 99%', format: 'markdown', to: { uids: 'UID_alice' } });
    expect(sentBodies()[0]).toMatchObject({ summary: 'Disk full', content: '## Disk full\n\nsda1 at 99%' });
  });

  it('returns message ids and per-target records, and surfaces per-recipient failures', async () => {
    const result = await channel().send({ content: 'hello', to: { uids: ['UID_alice', 'UID_gone'], topicIds: [3] } });
    expect(result.ok).toBe(false);
    expect(result.messageIds).toEqual([String(fake.sends[0].messageContentId)]);
    expect(result.partialFailures).toEqual([{ target: 'uid', id: 'UID_gone', code: 1001, reason: '用户不存在或者已经取消关注' }]);
    const details = result.details as WxPusherSendDetails;
    expect(details.records.map((r) => [r.target, r.id, r.code])).toEqual([
      ['uid', 'UID_alice', 1000],
      ['uid', 'UID_gone', 1001],
      ['topic', '3', 1000],
    ]);
    expect(details.records.every((r) => /^\d+$/.test(r.sendRecordId ?? ''))).toBe(true);
  });

  it('chunks uids by 2,000 and topicIds by 5, pairing them in one call', async () => {
    const result = await channel().send({ content: 'x', to: { uids: uids(4_500), topicIds: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] } });
    expect(result.ok).toBe(true);
    expect(result.requests).toBe(3);
    expect(result.batches).toBe(3);
    expect(sentBodies().map((b) => [(b.uids as string[] | undefined)?.length ?? 0, (b.topicIds as number[] | undefined)?.length ?? 0])).toEqual([
      [2000, 5],
      [2000, 5],
      [500, 2],
    ]);
    expect(new Set(sentBodies().flatMap((b) => b.uids as string[])).size).toBe(4_500);
  });

  it('splits a 100,000-character content into ordered parts within 40,000 characters', async () => {
    const line = '服务器告警：CPU 使用率超过 90% 🔥\n';
    const content = Array.from(line.repeat(Math.ceil(100_000 / codePoints(line)))).slice(0, 100_000).join('');
    expect(codePoints(content)).toBe(100_000);
    const result = await channel().send({ content, to: { uids: ['UID_alice'] } });
    expect(result.parts).toBe(3);
    expect(result.requests).toBe(3);
    const parts = sentBodies().map((b) => b.content as string);
    parts.forEach((part, i) => {
      expect(codePoints(part)).toBeLessThanOrEqual(40_000);
      expect(part.endsWith(`(${i + 1}/3)`)).toBe(true);
    });
    expect(parts.map((p) => p.replace(/\n\(\d\/3\)$/, '')).join('\n')).toBe(content);
  });

  it('truncates a long summary to 100 characters with an ellipsis', async () => {
    await channel().send({ content: 'x', summary: '摘'.repeat(150), to: { uids: ['UID_alice'] } });
    const summary = sentBodies()[0].summary as string;
    expect(codePoints(summary)).toBe(100);
    expect(summary.endsWith('…')).toBe(true);
  });

  it('rejects a url over 1,000 characters before any request', async () => {
    const error = await rejection(channel().send({ content: 'x', url: `https://example.com/${'a'.repeat(1_000)}`, to: { uids: ['UID_alice'] } }));
    expect(error).toMatchObject({ code: 'URL_TOO_LONG', kind: 'validation', retryable: false });
    expect(fake.requests).toHaveLength(0);
  });

  it('rejects bad input before any request', async () => {
    const wx = channel();
    expect((await rejection(wx.send({ content: '', to: { uids: ['UID_alice'] } }))).code).toBe('EMPTY_CONTENT');
    expect((await rejection(wx.send({ content: 'x', to: {} }))).code).toBe('NO_RECIPIENTS');
    expect((await rejection(wx.send({ content: 'x', to: { topicIds: ['abc'] } }))).code).toBe('INVALID_RECIPIENT');
    expect((await rejection(wx.send({ content: 'x', to: { uids: ['UID_a'] }, options: { verifyPayType: 3 as 1 } }))).code).toBe('INVALID_OPTION');
    expect(fake.requests).toHaveLength(0);
  });

  it('paces 60 sends under 20 calls per 10 s without a single failure (virtual clock)', async () => {
    const wx = channel();
    for (let i = 0; i < 60; i++) {
      const result = await wx.send({ content: `n${i}`, to: { uids: ['UID_alice'] } });
      expect(result.ok).toBe(true);
    }
    expect(fake.sends).toHaveLength(60);
    expect(fake.requests).toHaveLength(60);
    // 60 calls at 20 per 10 s need at least two full windows of waiting.
    expect(clock.slept).toBeGreaterThanOrEqual(20_000);
  });

  it('waits out the upstream block when another process used up the window', async () => {
    const wx = channel();
    // Another process (its own limiter, unpaced) fills the fake's window.
    const other = channel({ rateLimit: { limit: 1_000, windowMs: 10_000 } }, { rateLimiter: new MemoryRateLimiter(clock) });
    for (let i = 0; i < 20; i++) await other.send({ content: 'other', to: { uids: ['UID_bob'] } });
    const result = await wx.send({ content: 'mine', to: { uids: ['UID_alice'] } });
    expect(result.ok).toBe(true);
    expect(result.retries).toBe(1);
    expect(fake.sends.at(-1)!.body.content).toBe('mine');
  });
});

describe('WxPusher simple push (SPT)', () => {
  beforeEach(() => start({ unknownSpts: ['SPT_unknown0007'] }));
  const spts = (n: number) => Array.from({ length: n }, (_, i) => `SPT_token${String(i).padStart(4, '0')}`);

  it('batches SPTs by 10 and needs no appToken', async () => {
    const wx = channel({ appToken: undefined, spt: 'SPT_config0001' });
    const result = await wx.send({ content: 'x', to: { spts: spts(25) } });
    expect(result.requests).toBe(3);
    expect(sentBodies().map((b) => (b.sptList as string[]).length)).toEqual([10, 10, 5]);
    for (const body of sentBodies()) expect(body).not.toHaveProperty('appToken');
  });

  it('uses the config spt when the notification names no recipients, as `spt` for a single token', async () => {
    await channel({ appToken: undefined, spt: 'SPT_config0001' }).send({ content: 'x' });
    expect(sentBodies()[0]).toEqual({ content: 'x', contentType: 1, spt: 'SPT_config0001' });
  });

  it('reports unknown SPTs masked, never in clear', async () => {
    const result = await channel({ spt: ['SPT_known0001', 'SPT_unknown0007'] }).send({ content: 'x' });
    expect(result.partialFailures).toEqual([{ target: 'spt', id: 'SPT_…0007', code: 1001, reason: '用户不存在或者已经取消关注' }]);
    expect(JSON.stringify(result)).not.toContain('SPT_unknown0007');
  });

  it('masks SPTs that an upstream error message echoes', async () => {
    fake.script(envelope(1001, 'SPT_secret0042 已失效'));
    const error = await rejection(channel({ appToken: undefined, spt: 'SPT_config0001' }).send({ content: 'x', to: { spts: ['SPT_secret0042'] } }));
    expect(error.upstreamMessage).toBe('SPT_*** 已失效');
    expect(JSON.stringify({ m: error.message, j: error.toJSON() })).not.toContain('SPT_secret0042');
  });

  it('rejects uids without an appToken before any request', async () => {
    const error = await rejection(channel({ appToken: undefined, spt: 'SPT_a1' }).send({ content: 'x', to: { uids: ['UID_a'] } }));
    expect(error.code).toBe('MISSING_APP_TOKEN');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('WxPusher errors', () => {
  beforeEach(() => start());

  it('treats code != 1000 as a failure with the code, message and a hint (wrong appToken → 1002)', async () => {
    const error = await rejection(channel({ appToken: 'AT_wrong_token_999' }).send({ content: 'x', to: { uids: ['UID_a'] } }));
    expect(error).toMatchObject({ channel: 'wxpusher', code: 1002, kind: 'upstream', retryable: false, upstreamMessage: 'appToken不正确' });
    expect(error.hint).toMatch(/appToken/);
    expect(error.message).not.toContain('AT_wrong_token_999');
  });

  it.each(Object.entries(wxPusherErrorTable))('code %s follows its table rule', async (code, rule) => {
    fake.script(envelope(Number(code), `错误 ${code}`));
    const wx = channel();
    if (rule.action === 'retry') {
      const result = await wx.send({ content: 'x', to: { uids: ['UID_a'] } });
      expect(result).toMatchObject({ ok: true, requests: 2, retries: 1 });
    } else {
      const error = await rejection(wx.send({ content: 'x', to: { uids: ['UID_a'] } }));
      expect(error).toMatchObject({ code: Number(code), kind: 'upstream', retryable: false, hint: rule.hint, upstreamMessage: `错误 ${code}` });
      expect(fake.requests).toHaveLength(1);
    }
  });

  it('masks the appToken when an answer echoes it, in errors and logs', async () => {
    const logs: string[] = [];
    const logger = { warn: (m: string, meta?: unknown) => logs.push(m + JSON.stringify(meta)), debug: (m: string, meta?: unknown) => logs.push(m + JSON.stringify(meta)) };
    fake.script(envelope(1006, `appToken=${DEFAULT_APP_TOKEN} busy`));
    fake.script(envelope(1002, `appToken ${DEFAULT_APP_TOKEN} 不正确`));
    const wx = createChannel({ type: 'wxpusher', appToken: DEFAULT_APP_TOKEN, baseUrl: fake.url }, { transport, clock, logger });
    const error = await rejection(wx.send({ content: 'x', to: { uids: ['UID_a'] } }));
    expect(error.upstreamMessage).toBe('appToken *** 不正确');
    expect(logs.length).toBeGreaterThan(0);
    expect(JSON.stringify({ m: error.message, j: error.toJSON(), logs })).not.toContain(DEFAULT_APP_TOKEN);
  });

  it('keeps unknown codes with their number and message', async () => {
    fake.script(envelope(4242, '新的错误'));
    const error = await rejection(channel().send({ content: 'x', to: { uids: ['UID_a'] } }));
    expect(error).toMatchObject({ code: 4242, upstreamMessage: '新的错误', retryable: false });
  });

  it('retries transient codes (1006) and succeeds', async () => {
    fake.script(envelope(1006, '微信交互错误'));
    const result = await channel().send({ content: 'x', to: { uids: ['UID_a'] } });
    expect(result).toMatchObject({ ok: true, requests: 2, retries: 1 });
  });

  it('the fake answers malformed JSON with 1005 like WxPusher', async () => {
    // Plain fetch: axios re-encodes a string body that is not valid JSON.
    const res = await fetch(`${fake.url}/api/send/message`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' });
    expect(await res.json()).toMatchObject({ code: 1005, success: false });
  });

  it('the fake enforces the documented limits the client keeps to', async () => {
    const post = async (body: unknown) => JSON.parse((await transport.request({ method: 'POST', url: `${fake.url}/api/send/message`, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).text).code;
    const base = { appToken: DEFAULT_APP_TOKEN, content: 'x' };
    expect(await post({ ...base, uids: uids(2_001) })).toBe(1001);
    expect(await post({ ...base, topicIds: [1, 2, 3, 4, 5, 6] })).toBe(1001);
    expect(await post({ ...base })).toBe(1001);
    expect(await post({ ...base, content: 'a'.repeat(40_001), uids: ['UID_a'] })).toBe(1001);
    expect(await post({ ...base, summary: 'a'.repeat(101), uids: ['UID_a'] })).toBe(1001);
    expect(await post({ ...base, url: 'a'.repeat(1_001), uids: ['UID_a'] })).toBe(1001);
    expect(await post({ ...base, appToken: 'XX_nope', uids: ['UID_a'] })).toBe(1002);
    expect(fake.sends).toHaveLength(0);
  });

  it('a failed batch throws with what was delivered and who got nothing', async () => {
    fake.script(envelope(1002, 'appToken不正确'), undefined);
    const error = await rejection(channel({ concurrency: 1 }).send({ content: 'x', to: { uids: uids(2_001) } }));
    expect(error.code).toBe(1002);
    expect(error.partial).toMatchObject({ ok: false, requests: 2 });
    expect(error.partial!.partialFailures).toHaveLength(2_000);
    expect((error.partial!.details as WxPusherSendDetails).records).toHaveLength(1);
  });

  it('maps a non-WxPusher answer (proxy page) to a clear error', async () => {
    fake.server.injectFaults({ status: { code: 502, count: 4 } });
    const error = await rejection(channel().send({ content: 'x', to: { uids: ['UID_a'] } }));
    expect(error).toMatchObject({ code: 502, kind: 'http', retryable: true });
  });

  it('rejects invalid configs naming the field', () => {
    expect(() => createChannel({ type: 'wxpusher' } as WxPusherConfig)).toThrow(/appToken or spt/);
    expect(() => createChannel({ type: 'wxpusher', appToken: 'nope' })).toThrow(/AT_/);
    expect(() => createChannel({ type: 'wxpusher', spt: 'bad' })).toThrow(/SPT_/);
  });
});
