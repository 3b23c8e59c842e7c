import { Deduplicator, GewechatCallbackInbox, parseGewechatCallback, createChannel, type GewechatMessageEvent } from '@wxnotify/core';
import { AxiosTransport } from '@wxnotify/core/axios';
import { FakeServer } from '../support/fake-server';
import { VirtualClock } from '../support/virtual-clock';
import { GewechatFake } from '../fakes/gewechat';

describe('gewechat callbacks from the fake server', () => {
  let fake: GewechatFake;
  let receiver: FakeServer;
  let transport: AxiosTransport;

  beforeAll(async () => {
    fake = await GewechatFake.start();
    receiver = await FakeServer.start(() => ({ body: 'SUCCESS' }));
    transport = new AxiosTransport({ proxy: false });
    const channel = createChannel({ type: 'gewechat', baseUrl: fake.baseUrl, token: fake.token, appId: fake.appId }, { transport });
    await channel.setCallback(`${receiver.url}/gewechat/callback`);
    for (let i = 0; i < 50 && receiver.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  });
  afterAll(async () => {
    transport.close();
    await fake.close();
    await receiver.close();
  });

  const lastText = (): string => receiver.requests[receiver.requests.length - 1].text;

  it('receives the testMsg probe after setCallback and never exposes its token', () => {
    const event = parseGewechatCallback(receiver.requests[0].text);
    expect(event).toEqual({ kind: 'probe', message: '回调地址链接成功！' });
    expect(JSON.stringify(event)).not.toContain(fake.token);
  });

  it('keeps the 64-bit NewMsgId exact from the raw text (PascalCase keys)', async () => {
    await fake.emitMessage({ from: 'wxid_friend_a', content: '123', newMsgId: 7773749793478223190n });
    const event = parseGewechatCallback(lastText()) as GewechatMessageEvent;
    expect(event).toMatchObject({
      kind: 'message',
      appId: fake.appId,
      newMsgId: '7773749793478223190',
      fromWxid: 'wxid_friend_a',
      text: '123',
      isGroup: false,
      isSelf: false,
      replyTo: 'wxid_friend_a',
      dedupeKey: `${fake.appId}:7773749793478223190`,
    });
    expect(lastText()).toContain('"NewMsgId":7773749793478223190');
    // What a naive JSON.parse would have produced:
    expect(String(JSON.parse(lastText()).Data.NewMsgId)).not.toBe('7773749793478223190');
  });

  it('parses the lowercase casing the same way', async () => {
    await fake.emitMessage({ from: 'wxid_friend_b', content: 'hello', newMsgId: 9007199254740993n, casing: 'snake' });
    expect(lastText()).toContain('"type_name":"AddMsg"');
    const event = parseGewechatCallback(lastText()) as GewechatMessageEvent;
    expect(event).toMatchObject({ kind: 'message', appId: fake.appId, wxid: fake.wxid, newMsgId: '9007199254740993', text: 'hello' });
  });

  it('splits group messages into sender and text', async () => {
    await fake.emitMessage({ from: '34757816141@chatroom', content: 'wxid_friend_a:\n部署完成\n第二行' });
    const event = parseGewechatCallback(lastText()) as GewechatMessageEvent;
    expect(event).toMatchObject({ isGroup: true, roomId: '34757816141@chatroom', senderWxid: 'wxid_friend_a', text: '部署完成\n第二行', replyTo: '34757816141@chatroom' });
  });

  it('detects messages the account sent itself', async () => {
    await fake.emitMessage({ from: fake.wxid, to: 'wxid_friend_a', content: 'sent from my phone' });
    const event = parseGewechatCallback(lastText()) as GewechatMessageEvent;
    expect(event).toMatchObject({ isSelf: true, senderWxid: fake.wxid, replyTo: 'wxid_friend_a' });
  });

  it('flags a redelivered message as duplicate by appId + NewMsgId', async () => {
    const inbox = new GewechatCallbackInbox();
    const first = await fake.emitMessage({ from: 'wxid_friend_a', content: 'once', newMsgId: 8888888888888888881n });
    await fake.post(first);
    const other = await fake.emitMessage({ from: 'wxid_friend_a', content: 'once', newMsgId: 8888888888888888882n });
    const texts = receiver.requests.slice(-3).map((r) => r.text);
    expect(texts).toEqual([first, first, other]);
    expect(texts.map((t) => inbox.accept(t).duplicate)).toEqual([false, true, false]);
  });

  it('returns other callback types as generic events', () => {
    expect(parseGewechatCallback('{"TypeName":"Offline","Appid":"wx_1","Wxid":"wxid_1"}')).toEqual({ kind: 'event', typeName: 'Offline', appId: 'wx_1', wxid: 'wxid_1', data: undefined });
  });

  it('rejects bodies that are not gewechat callbacks', () => {
    for (const raw of ['not json', '[]', '{"foo":1}', '{"TypeName":"AddMsg","Appid":"a","Data":{}}']) {
      expect(() => parseGewechatCallback(raw)).toThrow(/INVALID_CALLBACK/);
    }
  });
});

describe('Deduplicator', () => {
  it('forgets keys after the TTL', () => {
    const clock = new VirtualClock();
    const dedupe = new Deduplicator({ ttlMs: 60_000, clock });
    expect(dedupe.isDuplicate('a')).toBe(false);
    expect(dedupe.isDuplicate('a')).toBe(true);
    clock.advance(60_001);
    expect(dedupe.isDuplicate('a')).toBe(false);
  });

  it('stays within maxEntries, dropping the oldest key', () => {
    const dedupe = new Deduplicator({ maxEntries: 3 });
    for (const key of ['a', 'b', 'c', 'd']) dedupe.isDuplicate(key);
    expect(dedupe.size).toBe(3);
    expect(dedupe.has('a')).toBe(false);
    expect(dedupe.has('d')).toBe(true);
  });
});
