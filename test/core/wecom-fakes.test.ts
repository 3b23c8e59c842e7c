import { encodeMultipart } from '@wxnotify/core';
import { createHash } from 'node:crypto';
import { startFakeRobot, startFakeWeCom, type FakeRobot, type FakeWeCom } from '../fakes/wecom';
import { VirtualClock } from '../support/virtual-clock';

// The fakes are shared by every suite: prove they enforce the rules, with plain HTTP calls.
async function call(base: string, path: string, init: { method?: string; body?: unknown; raw?: Buffer; contentType?: string } = {}) {
  const headers: Record<string, string> = {};
  let body: string | Buffer | undefined;
  if (init.raw) {
    body = init.raw;
    headers['content-type'] = init.contentType ?? 'application/octet-stream';
  } else if (init.body !== undefined) {
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(`${base}${path}`, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body });
  return (await res.json()) as Record<string, any>;
}

describe('fake WeCom enforces the documented rules', () => {
  let wecom: FakeWeCom;
  let token: string;
  const clock = new VirtualClock();
  const send = (body: unknown) => call(wecom.url, `/cgi-bin/message/send?access_token=${token}`, { body });
  const text = (extra: Record<string, unknown>) => ({ msgtype: 'text', agentid: wecom.agentId, text: { content: 'hi' }, ...extra });

  beforeAll(async () => {
    wecom = await startFakeWeCom({ clock });
    token = (await call(wecom.url, `/cgi-bin/gettoken?corpid=${wecom.corpId}&corpsecret=${encodeURIComponent(wecom.corpSecret)}`)).access_token;
  });
  afterAll(() => wecom.close());

  it('checks tokens: missing 41001, unknown 40014, expired 42001', async () => {
    expect((await call(wecom.url, '/cgi-bin/message/send', { body: text({ touser: 'a' }) })).errcode).toBe(41001);
    expect((await call(wecom.url, '/cgi-bin/message/send?access_token=nope', { body: text({ touser: 'a' }) })).errcode).toBe(40014);
    const reply = await call(wecom.url, `/cgi-bin/gettoken?corpid=${wecom.corpId}&corpsecret=${encodeURIComponent(wecom.corpSecret)}`);
    expect(reply).toMatchObject({ errcode: 0, access_token: token });
    expect(reply.expires_in).toBeLessThanOrEqual(7200);
    const ownClock = new VirtualClock();
    const expiring = await startFakeWeCom({ clock: ownClock });
    const t = (await call(expiring.url, `/cgi-bin/gettoken?corpid=${expiring.corpId}&corpsecret=${encodeURIComponent(expiring.corpSecret)}`)).access_token;
    ownClock.advance(7200_000);
    const late = await call(expiring.url, `/cgi-bin/message/send?access_token=${t}`, { body: { msgtype: 'text', agentid: expiring.agentId, touser: 'a', text: { content: 'x' } } });
    expect(late.errcode).toBe(42001);
    expiring.invalidateTokens(40014);
    expect((await call(expiring.url, `/cgi-bin/department/list?access_token=${t}`)).errcode).toBe(40014);
    await expiring.close();
  });

  it('checks agentid, msgtype, JSON and recipients', async () => {
    expect((await send(text({ touser: 'a', agentid: String(wecom.agentId) }))).errcode).toBe(40056);
    expect((await send(text({ touser: 'a', agentid: 1 }))).errcode).toBe(301002);
    expect((await send(text({ touser: 'a', msgtype: 'sms' }))).errcode).toBe(40008);
    expect((await send('{not json')).errmsg).toMatch(/^Warning: wrong json format\./);
    expect((await send(text({}))).errcode).toBe(82001);
    expect((await send(text({ touser: Array.from({ length: 1001 }, (_, i) => `u${i}`).join('|') }))).errcode).toBe(40032);
    expect((await send(text({ toparty: Array.from({ length: 101 }, (_, i) => i + 1).join('|') }))).errcode).toBe(82002);
    expect((await send(text({ totag: Array.from({ length: 101 }, (_, i) => i + 1).join('|') }))).errcode).toBe(82003);
    expect((await send(text({ touser: 'invalid1|unknown2' }))).errcode).toBe(81013);
    const partial = await send(text({ touser: 'a|Invalid_X|unlicensed_y' }));
    expect(partial).toMatchObject({ errcode: 0, invaliduser: 'invalid_x', unlicenseduser: 'unlicensed_y', invalidparty: '', msgid: expect.any(String) });
  });

  it('checks content: empty 44004, > 2048 B truncated, > 5120 B 40058', async () => {
    expect((await send(text({ touser: 'a', text: { content: '' } }))).errcode).toBe(44004);
    expect((await send(text({ touser: 'a', text: { content: '字'.repeat(2000) } }))).errcode).toBe(40058);
    const before = wecom.delivered.length;
    expect((await send(text({ touser: 'a', text: { content: '字'.repeat(1000) } }))).errcode).toBe(0);
    expect(wecom.delivered[before]).toMatchObject({ truncated: true });
    expect(Buffer.byteLength(wecom.delivered[before].payload.content as string)).toBeLessThanOrEqual(2048);
  });

  it('checks textcard and news fields and the duplicate window', async () => {
    expect((await send({ ...text({ touser: 'a' }), msgtype: 'textcard', textcard: { title: 't', description: 'd', url: 'ftp://x' } })).errcode).toBe(40058);
    expect((await send({ ...text({ touser: 'a' }), msgtype: 'news', news: { articles: [] } })).errcode).toBe(40058);
    const body = text({ touser: 'a', text: { content: 'dupe' }, enable_duplicate_check: 1, duplicate_check_interval: 60 });
    const first = await send(body);
    const second = await send(body);
    expect(second.msgid).toBe(first.msgid);
    expect(wecom.duplicatesSuppressed).toBe(1);
    clock.advance(61_000);
    expect((await send(body)).msgid).not.toBe(first.msgid);
    expect((await send({ ...body, duplicate_check_interval: 20000 })).errcode).toBe(40058);
  });

  it('checks uploads: part name "media", type, size', async () => {
    const upload = (field: string, type: string, data: Buffer) => {
      const { body, contentType } = encodeMultipart([{ field, filename: 'a.txt', data }]);
      return call(wecom.url, `/cgi-bin/media/upload?access_token=${token}&type=${type}`, { raw: body, contentType });
    };
    expect((await upload('file', 'file', Buffer.from('hello world'))).errcode).toBe(41005);
    expect((await upload('media', 'doc', Buffer.from('hello world'))).errcode).toBe(40004);
    expect((await upload('media', 'file', Buffer.from('abc'))).errcode).toBe(40006);
    const ok = await upload('media', 'file', Buffer.from('hello world'));
    expect(ok).toMatchObject({ errcode: 0, type: 'file', media_id: expect.any(String), created_at: expect.stringMatching(/^\d+$/) });
    expect((await send({ ...text({ touser: 'a' }), msgtype: 'file', file: { media_id: 'unknown' } })).errcode).toBe(40007);
  });

  it('answers 60020 with from ip for untrusted callers and 45009 after repeated wrong secrets', async () => {
    const strict = await startFakeWeCom({ trustedIps: ['198.51.100.1'], wrongSecretLimit: 2 });
    const t = (await call(strict.url, `/cgi-bin/gettoken?corpid=${strict.corpId}&corpsecret=${encodeURIComponent(strict.corpSecret)}`)).access_token;
    const denied = await call(strict.url, `/cgi-bin/message/send?access_token=${t}`, { body: { msgtype: 'text', agentid: strict.agentId, touser: 'a', text: { content: 'x' } } });
    expect(denied.errcode).toBe(60020);
    expect(denied.errmsg).toMatch(/from ip: 127\.0\.0\.1/);
    for (const expected of [40001, 40001, 45009]) {
      expect((await call(strict.url, `/cgi-bin/gettoken?corpid=${strict.corpId}&corpsecret=wrong`)).errcode).toBe(expected);
    }
    await strict.close();
  });
});

describe('fake robot enforces the documented rules', () => {
  let robot: FakeRobot;
  const clock = new VirtualClock();
  const post = (body: unknown, key?: string) => call(robot.url, `/cgi-bin/webhook/send?key=${key ?? robot.key}`, { body });
  beforeAll(async () => {
    robot = await startFakeRobot({ clock });
  });
  afterAll(() => robot.close());

  it('checks the key, sizes and md5', async () => {
    expect((await post({ msgtype: 'text', text: { content: 'x' } }, 'wrong')).errmsg).toMatch(/^invalid webhook url, hint: .*from ip: /);
    expect((await post({ msgtype: 'text', text: { content: 'a'.repeat(2049) } })).errcode).toBe(40058);
    expect((await post({ msgtype: 'markdown', markdown: { content: 'a'.repeat(4097) } })).errcode).toBe(40058);
    const raw = Buffer.from('png-ish bytes');
    expect((await post({ msgtype: 'image', image: { base64: raw.toString('base64'), md5: createHash('md5').update(raw.toString('base64')).digest('hex') } })).errcode).toBe(40058);
    expect((await post({ msgtype: 'image', image: { base64: raw.toString('base64'), md5: createHash('md5').update(raw).digest('hex') } })).errcode).toBe(0);
  });

  it('answers 45009 after 20 messages in a minute and accepts again after it', async () => {
    const fresh = await startFakeRobot({ clock });
    const codes: number[] = [];
    for (let i = 0; i < 21; i++) codes.push((await call(fresh.url, `/cgi-bin/webhook/send?key=${fresh.key}`, { body: { msgtype: 'text', text: { content: `m${i}` } } })).errcode);
    expect(codes.slice(0, 20).every((c) => c === 0)).toBe(true);
    expect(codes[20]).toBe(45009);
    clock.advance(60_001);
    expect((await call(fresh.url, `/cgi-bin/webhook/send?key=${fresh.key}`, { body: { msgtype: 'text', text: { content: 'later' } } })).errcode).toBe(0);
    await fresh.close();
  });
});
