import { canonicalAppinfo, normalizeConversationId, parseWeComHookCallback, SendConfirmations, type WeComHookMessage } from '@wxnotify/core';
import { FakeServer } from '../support/fake-server';
import { JuheFake } from '../fakes/juhe';

const GUID = '5b1eb388-a4df-3da5-a49a-507eea46632c';

describe('wecom-hook callbacks from the fake hook', () => {
  let fake: JuheFake;
  let receiver: FakeServer;

  beforeAll(async () => {
    fake = await JuheFake.start();
    receiver = await FakeServer.start(() => ({ body: { success: true } }));
    const res = await fetch(`${fake.url}/client/set_notify_url`, { method: 'POST', body: JSON.stringify({ guid: GUID, notify_url: `${receiver.url}/cb` }) });
    expect(await res.json()).toMatchObject({ error_code: 0 });
  });
  afterAll(async () => {
    await fake.close();
    await receiver.close();
  });

  function only(raw: string): WeComHookMessage {
    const parsed = parseWeComHookCallback(raw);
    if (parsed.kind !== 'messages') throw new Error('expected messages');
    expect(parsed.messages).toHaveLength(1);
    return parsed.messages[0];
  }

  it('parses an inbound 11010 private message with its reply target', async () => {
    const raw = await fake.emitInbound(GUID, { sender: '1688857160788209', content: 'hello' });
    expect(receiver.requests[receiver.requests.length - 1].text).toBe(raw);
    const parsed = parseWeComHookCallback(raw);
    expect(parsed).toMatchObject({ kind: 'messages', guid: GUID, notifyType: 11010 });
    expect(only(raw)).toMatchObject({ direction: 'inbound', text: 'hello', sender: '1688857160788209', replyTo: 'S:1688857160788209' });
    expect(only(raw).roomId).toBeUndefined();
  });

  it('parses a 11013 batch from a group with JSON-string content', async () => {
    const raw = await fake.emitInbound(GUID, { sender: '1688857160788209', roomid: '1970325468984112', content: '收到', notifyType: 11013, contentAsJson: true });
    expect(JSON.parse(raw).data).toBeInstanceOf(Array);
    expect(only(raw)).toMatchObject({ direction: 'inbound', text: '收到', content: '{"msg":"收到"}', roomId: '1970325468984112', replyTo: 'R:1970325468984112' });
  });

  it('tells the own echo apart and replies to the other side', () => {
    const raw = JSON.stringify({
      guid: GUID,
      notify_type: 11013,
      data: [{ seq: '14303419', id: '1000127', appinfo: 'CAUQ6cmixAYY6Ojx/IvWrKsYIPTqgPAL', sender: '1688856214724417', receiver: '1688857160788209', roomid: '0', content: '测试一条消息', send_flag: 1, msg_type: 2 }],
    });
    expect(only(raw)).toMatchObject({ direction: 'echo', replyTo: 'S:1688857160788209', appinfo: 'CAUQ6cmixAYY6Ojx/IvWrKsYIPTqgPAL', dedupeKey: `${GUID}:1000127` });
  });

  it('unwraps WebSocket frames whose event is a JSON string', () => {
    const event = JSON.stringify({ guid: GUID, notify_type: 11010, data: { id: '9', sender: '7', receiver: '8', roomid: '0', content: 'ws', send_flag: 0 } });
    const parsed = parseWeComHookCallback(JSON.stringify({ type: 'callback', event_id: 'ev-1', event }));
    expect(parsed).toMatchObject({ kind: 'messages', eventId: 'ev-1', messages: [{ text: 'ws', replyTo: 'S:7' }] });
  });

  it('keeps big numeric ids exact', () => {
    const parsed = parseWeComHookCallback(`{"guid":"g","notify_type":11010,"data":{"id":12345678901234567890,"sender":7,"receiver":8,"roomid":0,"content":"x","send_flag":0}}`);
    expect(parsed).toMatchObject({ messages: [{ id: '12345678901234567890', replyTo: 'S:7' }] });
  });

  it('returns other notify types as events and rejects junk', () => {
    expect(parseWeComHookCallback({ guid: GUID, notify_type: 11004, data: {} })).toEqual({ kind: 'event', guid: GUID, notifyType: 11004, data: {} });
    for (const raw of ['nope', '[]', '{"guid":"g"}']) expect(() => parseWeComHookCallback(raw)).toThrow(/INVALID_CALLBACK/);
  });
});

describe('SendConfirmations', () => {
  const echo = (appinfo: string): WeComHookMessage => ({ appinfo, sender: '1', receiver: '2', text: '', content: '', atList: [], direction: 'echo', replyTo: 'S:2', dedupeKey: 'g:1', raw: {} });

  it('matches the base64 appinfo of a send response with the plain appinfo of its echo', () => {
    // Pair observed in the wild (send response vs 11013 callback of the same message).
    expect(canonicalAppinfo('Q0FVUTZjbWl4QVlZNk9qeC9JdldyS3NZSVBUcWdQQUw=')).toBe('CAUQ6cmixAYY6Ojx/IvWrKsYIPTqgPAL');
    expect(canonicalAppinfo('CAUQ6cmixAYY6Ojx/IvWrKsYIPTqgPAL')).toBe('CAUQ6cmixAYY6Ojx/IvWrKsYIPTqgPAL');
  });

  it('resolves a wait when the echo arrives, also when the echo came first', async () => {
    const confirmations = new SendConfirmations();
    const waiting = confirmations.wait('Q0FVUTZjbWl4QVlZNk9qeC9JdldyS3NZSVBUcWdQQUw=', 5_000);
    expect(confirmations.pendingCount).toBe(1);
    expect(confirmations.observe(echo('CAUQ6cmixAYY6Ojx/IvWrKsYIPTqgPAL'))).toBe(1);
    await expect(waiting).resolves.toBe(true);
    confirmations.observe([echo('early-echo-0001')]);
    await expect(confirmations.wait('early-echo-0001', 5_000)).resolves.toBe(true);
    expect(confirmations.pendingCount).toBe(0);
  });

  it('ignores inbound messages and times out as unconfirmed', async () => {
    const confirmations = new SendConfirmations();
    const waiting = confirmations.wait('never-echoed', 20);
    expect(confirmations.observe({ ...echo('never-echoed'), direction: 'inbound' })).toBe(0);
    await expect(waiting).resolves.toBe(false);
    expect(confirmations.pendingCount).toBe(0);
  });
});

describe('normalizeConversationId', () => {
  it.each([
    ['S:1688852792312821', 'S:1688852792312821', false],
    ['R:1970325468984112', 'R:1970325468984112', false],
    ['1688852792312821', 'S:1688852792312821', true],
    [' r:42 ', 'R:42', true],
  ])('%j → %s', (input, id, repaired) => {
    expect(normalizeConversationId(input)).toEqual({ input, id, repaired });
  });

  it.each(['', 'S:', 'S:abc', 'X:1', 'wxid_1', 'S:1 2', null, {}])('rejects %j', (input) => {
    expect(normalizeConversationId(input)).toBeUndefined();
  });
});
