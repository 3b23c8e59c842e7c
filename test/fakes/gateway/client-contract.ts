/**
 * The gateway client contract (seeds 000 and 001), as a reusable suite: core tests run it against
 * the fake gateway, and the real gateway service's tests run it against the real thing.
 */
import { createChannel, type ChannelDeps, type GatewayConfig, type GatewaySendDetails } from '@wxnotify/core';
import type { GatewayHarness, GatewayHarnessOptions, StartGatewayHarness } from './harness';
import { rejection } from '../../support/notify-errors';

export interface ContractDeps {
  /** A real HTTP transport (axios over loopback). */
  transport: NonNullable<ChannelDeps['transport']>;
  /** A fresh virtual clock per test. */
  newClock: () => NonNullable<ChannelDeps['clock']> & { slept: number };
}

export function gatewayClientContract(name: string, start: StartGatewayHarness, deps: ContractDeps): void {
  describe(`gateway client contract (${name})`, () => {
    let gw: GatewayHarness | undefined;
    let clock: ReturnType<ContractDeps['newClock']>;
    const logs: string[] = [];
    const logger = { warn: (m: string, meta?: unknown) => logs.push(m + JSON.stringify(meta ?? {})), debug: (m: string, meta?: unknown) => logs.push(m + JSON.stringify(meta ?? {})) };

    async function open(options: GatewayHarnessOptions = {}): Promise<GatewayHarness> {
      clock = deps.newClock();
      gw = await start({ clock, ...options });
      return gw;
    }
    function channel(config: Partial<GatewayConfig> = {}) {
      return createChannel({ type: 'gateway', baseUrl: gw!.url, ...config } as GatewayConfig, { transport: deps.transport, clock, logger, random: () => 0.5 });
    }
    afterEach(async () => {
      await gw?.close();
      gw = undefined;
      logs.length = 0;
    });

    it('POST /api/notify {wxid, content}: the title becomes the first line; newMsgId is the message id', async () => {
      await open();
      const result = await channel().send({ title: 'Backup', content: 'done', to: { wxid: 'wxid_abc' } });
      expect(gw!.delivered()).toEqual([{ route: 'wxid', wxid: 'wxid_abc', content: 'Backup\n\ndone' }]);
      expect(result).toMatchObject({ channel: 'gateway', ok: true, requests: 1 });
      expect(result.messageIds).toHaveLength(1);
      expect(result.messageIds[0]).toMatch(/^\d{16,}$/);
      expect((result.details as GatewaySendDetails).route).toBe('wxid');
    });

    it('POST /api/notify/{code} {title, content}: msgid is the message id', async () => {
      await open();
      const result = await channel({ code: gw!.code }).send({ title: 'CPU', content: 'CPU > 90%' });
      expect(gw!.delivered()).toEqual([{ route: 'code', code: gw!.code, title: 'CPU', content: 'CPU > 90%' }]);
      expect(result.ok).toBe(true);
      expect(result.messageIds).toEqual([expect.any(String)]);
    });

    it('sends to several wxids, one call each', async () => {
      await open();
      const result = await channel().send({ content: 'hi', to: { wxid: ['wxid_a', 'wxid_b', 'wxid_c'] } });
      expect(result).toMatchObject({ ok: true, requests: 3, batches: 3 });
      expect(gw!.delivered().map((d) => d.wxid).sort()).toEqual(['wxid_a', 'wxid_b', 'wxid_c']);
    });

    it('404 unknown code → non-retryable with a hint, and the code is never printed', async () => {
      await open();
      const secretCode = 'unknown_code_s3cr3t';
      const error = await rejection(channel({ code: secretCode }).send({ content: 'x' }));
      expect(error).toMatchObject({ channel: 'gateway', code: 404, status: 404, retryable: false });
      expect(error.hint).toMatch(/code/);
      expect(JSON.stringify({ message: error.message, json: error.toJSON(), logs })).not.toContain(secretCode);
    });

    it('500 upstream failure → retried, then delivered', async () => {
      await open();
      gw!.failUpstreamOnce(60020, 'not allow to access from your ip');
      const result = await channel({ code: gw!.code }).send({ content: 'x' });
      expect(result).toMatchObject({ ok: true, requests: 2, retries: 1 });
      expect(gw!.delivered()).toHaveLength(1);
    });

    it('logged-out gateway → a clear non-retryable error, and /health says so', async () => {
      await open();
      gw!.setLoggedIn(false);
      const error = await rejection(channel().send({ content: 'x', to: { wxid: 'wxid_a' } }));
      expect(error).toMatchObject({ retryable: false, upstreamMessage: '发送消息失败：用户未登录' });
      expect(error.hint).toMatch(/logged in/);
      expect(error.partial).toMatchObject({ ok: false, partialFailures: [{ target: 'wxid', id: 'wxid_a' }] });
      expect(await channel().check()).toMatchObject({ ok: false, message: '用户未登录' });
      gw!.setLoggedIn(true);
      expect(await channel().check()).toMatchObject({ ok: true, message: '服务正常运行中' });
    });

    it('sends the apiKey as Authorization: Bearer; a wrong key fails without leaking it', async () => {
      await open({ apiKey: 'gw_key_0123456789' });
      expect((await channel({ apiKey: 'gw_key_0123456789', code: gw!.code }).send({ content: 'x' })).ok).toBe(true);
      expect((await channel({ apiKey: 'gw_key_0123456789' }).check()).ok).toBe(true);
      const error = await rejection(channel({ apiKey: 'wrong_key_abcdef', code: gw!.code }).send({ content: 'x' }));
      expect(error).toMatchObject({ code: 401, retryable: false });
      expect(error.hint).toMatch(/apiKey/);
      expect(JSON.stringify({ m: error.message, j: error.toJSON(), logs })).not.toMatch(/wrong_key_abcdef|gw_key_0123456789/);
    });

    it('429 with Retry-After → waits that long and retries (virtual clock)', async () => {
      await open({ rateLimit: { limit: 2, windowMs: 60_000 } });
      const wx = channel({ code: gw!.code });
      await wx.send({ content: '1' });
      await wx.send({ content: '2' });
      const result = await wx.send({ content: '3' });
      expect(result).toMatchObject({ ok: true, requests: 2, retries: 1 });
      expect(clock.slept).toBeGreaterThanOrEqual(60_000);
      expect(gw!.delivered()).toHaveLength(3);
    });
  });
}
