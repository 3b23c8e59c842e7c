import { createChannel, type GewechatChannel } from '@wxnotify/core';
import { AxiosTransport } from '@wxnotify/core/axios';
import { VirtualClock } from '../support/virtual-clock';
import { GewechatFake } from '../fakes/gewechat';
import { rejection } from '../support/notify-errors';

describe('gewechat channel against the fake server', () => {
  let fake: GewechatFake;
  let transport: AxiosTransport;
  let channel: GewechatChannel;

  beforeAll(async () => {
    fake = await GewechatFake.start();
    transport = new AxiosTransport({ proxy: false });
  });
  afterAll(async () => {
    transport.close();
    await fake.close();
  });
  beforeEach(() => {
    fake.online = true;
    fake.requests.length = 0;
    fake.sent.length = 0;
    channel = make();
  });

  function make(overrides: Record<string, unknown> = {}): GewechatChannel {
    return createChannel(
      { type: 'gewechat', baseUrl: fake.baseUrl, token: fake.token, appId: fake.appId, rateLimit: false, ...overrides },
      { transport, retry: { baseDelayMs: 1, maxDelayMs: 2 } },
    );
  }

  it('sends text with the token header and keeps the 64-bit newMsgId exact', async () => {
    const result = await channel.send({ content: 'Backup finished', title: 'Job', to: { wxid: 'wxid_friend_a' } });
    const [request] = fake.calls('/message/postText');
    expect(request.headers['x-gewe-token']).toBe(fake.token);
    expect(request.json).toEqual({ appId: fake.appId, toWxid: 'wxid_friend_a', content: 'Job\nBackup finished' });
    // 7773749793478223190 > 2^53: a plain JSON.parse would have turned it into 7773749793478223000.
    expect(result.messageIds).toEqual(['7773749793478223190']);
    expect(result.details.newMsgId).toBe(fake.sent[0].newMsgId.toString());
    expect(result.details.msgId).toBe(String(fake.sent[0].msgId));
    expect(result).toMatchObject({ ok: true, requests: 1, partialFailures: [] });
  });

  it('sends to a list and reports the unknown wxid as a partial failure with its code', async () => {
    const result = await channel.send({ content: 'hi', to: ['wxid_friend_a', 'wxid_nobody', 'wxid_friend_b'] });
    expect(result.ok).toBe(false);
    expect(result.messageIds).toHaveLength(2);
    expect(result.details.messages.map((m) => m.toWxid)).toEqual(['wxid_friend_a', 'wxid_friend_b']);
    expect(result.partialFailures).toEqual([{ target: 'wxid', id: 'wxid_nobody', reason: '操作失败: 用户不存在', code: -4 }]);
  });

  it('fails with the upstream code and a hint when every recipient fails', async () => {
    const error = await rejection(channel.send({ content: 'hi', to: 'wxid_nobody' }));
    expect(error).toMatchObject({ channel: 'gewechat', code: -4, kind: 'upstream', retryable: false });
    expect(error.hint).toMatch(/wxid/);
    expect(error.partial?.partialFailures).toHaveLength(1);
  });

  it('mentions members and everyone in a group through options', async () => {
    await channel.send({ content: '@Alice @所有人 deploy done', to: '34757816141@chatroom', options: { ats: ['wxid_friend_a'], atAll: true } });
    expect(fake.calls('/message/postText')[0].json).toMatchObject({ toWxid: '34757816141@chatroom', ats: 'wxid_friend_a,notify@all' });
  });

  it('rejects mentions to a private chat before any request', async () => {
    const error = await rejection(channel.send({ content: 'hi', to: 'wxid_friend_a', options: { atAll: true } }));
    expect(error.kind).toBe('validation');
    expect(fake.requests).toHaveLength(0);
  });

  it('sends image, file and link messages by notification.type', async () => {
    await channel.send({ type: 'image', content: '', url: 'https://example.com/a.png', to: 'wxid_friend_a' });
    await channel.send({ type: 'file', content: '', to: 'wxid_friend_a', options: { fileUrl: 'https://example.com/r.pdf', fileName: 'r.pdf' } });
    await channel.send({ type: 'link', title: 'Report', content: 'Weekly numbers', url: 'https://example.com/r', to: 'wxid_friend_a', options: { thumbUrl: 'https://example.com/t.png' } });
    expect(fake.sent.map((s) => s.path)).toEqual(['/message/postImage', '/message/postFile', '/message/postLink']);
    expect(fake.sent[0].body).toMatchObject({ imgUrl: 'https://example.com/a.png' });
    expect(fake.sent[1].body).toMatchObject({ fileUrl: 'https://example.com/r.pdf', fileName: 'r.pdf' });
    expect(fake.sent[2].body).toMatchObject({ title: 'Report', desc: 'Weekly numbers', linkUrl: 'https://example.com/r', thumbUrl: 'https://example.com/t.png' });
  });

  it('rejects bad messages before any request', async () => {
    const bad = [
      channel.send({ type: 'file', content: '', to: 'wxid_friend_a', options: { fileUrl: 'https://example.com/r.pdf' } }),
      channel.send({ type: 'image', content: '', to: 'wxid_friend_a' }),
      channel.send({ type: 'video', content: 'x', to: 'wxid_friend_a' }),
      channel.send({ content: 'x' }),
      channel.send({ content: '  ', to: 'wxid_friend_a' }),
    ];
    for (const p of bad) expect((await rejection(p)).kind).toBe('validation');
    expect(fake.requests).toHaveLength(0);
  });

  it('reports an offline account in check() and explains it on send', async () => {
    expect(await channel.check()).toMatchObject({ ok: true });
    fake.online = false;
    expect(await channel.check()).toMatchObject({ ok: false, message: '用户未登录' });
    const error = await rejection(channel.send({ content: 'hi', to: 'wxid_friend_a' }));
    expect(error.upstreamMessage).toContain('用户未登录');
    expect(error.hint).toMatch(/not logged in/);
    expect(error.retryable).toBe(false);
  });

  it('explains a bad token without ever showing the token', async () => {
    const secret = 'wrong-token-5e8b0c1d9a';
    const bad = make({ token: secret });
    const error = await rejection(bad.send({ content: 'hi', to: 'wxid_friend_a' }));
    expect(error.code).toBe(401);
    expect(error.hint).toMatch(/token/);
    const health = await bad.check();
    expect(health.ok).toBe(false);
    for (const text of [error.message, JSON.stringify(error), JSON.stringify(health)]) expect(text).not.toContain(secret);
  });

  it('explains an unknown appId', async () => {
    const error = await rejection(make({ appId: 'wx_unknown' }).send({ content: 'hi', to: 'wxid_friend_a' }));
    expect(error.hint).toMatch(/appId/);
  });

  it('fetches contacts, cached or fresh', async () => {
    const fresh = await channel.fetchContacts();
    const cached = await channel.fetchContacts({ cached: true });
    expect(fresh).toEqual({ friends: fake.friends, chatrooms: fake.chatrooms, ghs: fake.ghs });
    expect(cached).toEqual(fresh);
    expect(fake.calls('/contacts/fetchContactsList')).toHaveLength(1);
    expect(fake.calls('/contacts/fetchContactsListCache')).toHaveLength(1);
  });

  it('paces an account instead of bursting (virtual clock)', async () => {
    const clock = new VirtualClock();
    const paced = createChannel(
      { type: 'gewechat', baseUrl: fake.baseUrl, token: fake.token, appId: fake.appId, rateLimit: { limit: 2, windowMs: 60_000 } },
      { transport, clock },
    );
    const result = await paced.send({ content: 'hi', to: ['wxid_friend_a', 'wxid_friend_b', '34757816141@chatroom'] });
    expect(result.messageIds).toHaveLength(3);
    // The third message waited for the 60-second window to move on.
    expect(clock.slept).toBeGreaterThanOrEqual(60_000);
  });

  it('rejects an incomplete config naming the field', () => {
    expect(() => createChannel({ type: 'gewechat', baseUrl: fake.baseUrl, token: '', appId: 'x' }, { transport })).toThrow(/config\.token/);
    expect(() => createChannel({ type: 'gewechat', baseUrl: 'host:2531', token: 't', appId: 'x' }, { transport })).toThrow(/baseUrl/);
  });

  it('explains a baseUrl that is not the API root', async () => {
    const error = await rejection(make({ baseUrl: fake.server.url }).send({ content: 'hi', to: 'wxid_friend_a' }));
    expect(error.status).toBe(404);
  });
});
