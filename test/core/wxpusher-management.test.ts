import { createChannel, type WxPusherConfig } from '@wxnotify/core';
import { AxiosTransport } from '@wxnotify/core/axios';
import { DEFAULT_APP_TOKEN, FakeWxPusher } from '../fakes/wxpusher';
import { VirtualClock } from '../support/virtual-clock';
import { rejection } from '../support/notify-errors';

const transport = new AxiosTransport();
let fake: FakeWxPusher;
let clock: VirtualClock;

beforeEach(async () => {
  clock = new VirtualClock();
  fake = await FakeWxPusher.start({ clock });
});
afterEach(() => fake.close());

function channel(config: Partial<WxPusherConfig> = {}) {
  return createChannel({ type: 'wxpusher', appToken: DEFAULT_APP_TOKEN, baseUrl: fake.url, ...config } as WxPusherConfig, { transport, clock });
}

describe('WxPusher management API', () => {
  it('creates a parameter QR code and reads the last scanner, refusing polls faster than every 10 s', async () => {
    const wx = channel();
    const qr = await wx.createQrCode({ extra: 'user-42', validTime: 600 });
    expect(qr).toMatchObject({ code: expect.any(String), url: expect.stringContaining(qr.code), extra: 'user-42' });
    expect(fake.calls('/api/fun/create/qrcode')[0].json).toEqual({ appToken: DEFAULT_APP_TOKEN, extra: 'user-42', validTime: 600 });

    expect(await wx.queryScanUid(qr.code)).toBeUndefined();
    fake.scan(qr.code, 'UID_alice');
    clock.advance(9_000);
    const tooFast = await rejection(wx.queryScanUid(qr.code));
    expect(tooFast).toMatchObject({ code: 'POLL_TOO_FAST', kind: 'validation', retryable: false });
    expect(tooFast.hint).toMatch(/wait 1000 ms/);
    expect(fake.calls('/api/fun/scan-qrcode-uid')).toHaveLength(1);

    clock.advance(1_000);
    expect(await wx.queryScanUid(qr.code)).toBe('UID_alice');
    expect(fake.calls('/api/fun/scan-qrcode-uid')).toHaveLength(2);
  });

  it('validates QR code arguments before any request', async () => {
    const wx = channel();
    expect((await rejection(wx.createQrCode({ extra: 'x'.repeat(65) }))).code).toBe('INVALID_ARGUMENT');
    expect((await rejection(wx.createQrCode({ extra: 'ok', validTime: 2_592_001 }))).code).toBe('INVALID_ARGUMENT');
    expect(fake.requests).toHaveLength(0);
  });

  it('lists followers page by page with pageSize <= 100', async () => {
    const wx = channel();
    const page1 = await wx.listUsers({ page: 1, pageSize: 2 });
    expect(page1).toMatchObject({ total: 3, page: 1, pageSize: 2 });
    expect(page1.records.map((u) => u.uid)).toEqual(['UID_alice', 'UID_bob']);
    const page2 = await wx.listUsers({ page: 2, pageSize: 2 });
    expect(page2.records.map((u) => u.uid)).toEqual(['UID_carol']);
    const blocked = await wx.listUsers({ isBlock: true });
    expect(blocked.records.map((u) => u.uid)).toEqual(['UID_carol']);
    expect((await rejection(wx.listUsers({ pageSize: 101 }))).code).toBe('INVALID_ARGUMENT');
    expect(fake.calls('/api/fun/wxuser/v2')).toHaveLength(3);
  });

  it('blocks, unblocks and removes a follower by id', async () => {
    const wx = channel();
    await wx.blockFollower(101);
    expect(fake.users.find((u) => u.id === 101)!.reject).toBe(true);
    await wx.unblockFollower('101');
    expect(fake.users.find((u) => u.id === 101)!.reject).toBe(false);
    await wx.removeFollower(102);
    expect(fake.users.map((u) => u.id)).toEqual([101, 103]);
    const missing = await rejection(wx.removeFollower(999));
    expect(missing).toMatchObject({ code: 1001, kind: 'upstream', operation: 'fun/remove' });
    expect(missing.message).not.toContain(DEFAULT_APP_TOKEN);
    expect((await rejection(wx.removeFollower('UID_alice'))).code).toBe('INVALID_ARGUMENT');
  });

  it('queries the status of a send record and returns the data as is', async () => {
    const wx = channel();
    const result = await wx.send({ content: 'x', to: { uids: ['UID_alice'] } });
    const record = (result.details as { records: Array<{ sendRecordId: string }> }).records[0];
    expect(await wx.querySendStatus(record.sendRecordId)).toEqual({ sendRecordId: Number(record.sendRecordId), status: 2, statusText: '已送达' });
  });

  it('needs an appToken for the management API', async () => {
    const wx = channel({ appToken: undefined, spt: 'SPT_only0001' });
    expect((await rejection(wx.listUsers())).code).toBe('MISSING_APP_TOKEN');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('WxPusher check()', () => {
  it('validates the appToken with a one-user list call', async () => {
    expect(await channel().check()).toMatchObject({ ok: true, message: 'appToken ok', details: { followers: 3 } });
    expect(fake.calls('/api/fun/wxuser/v2')[0].query.get('pageSize')).toBe('1');
    const bad = await channel({ appToken: 'AT_revoked_token_1' }).check();
    expect(bad.ok).toBe(false);
    expect(bad.message).toContain('1002');
    expect(JSON.stringify(bad)).not.toContain('AT_revoked_token_1');
  });

  it('checks only the format for SPT-only configs, without a request', async () => {
    expect(await channel({ appToken: undefined, spt: ['SPT_a0001', 'SPT_b0002'] }).check()).toMatchObject({ ok: true, details: { mode: 'simple-push' } });
    expect(fake.requests).toHaveLength(0);
  });
});
