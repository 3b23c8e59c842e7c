import { createHash } from 'node:crypto';
import { createChannel, MemoryRateLimiter, utf8Bytes, weComBotErrors, type WeComBotChannel, type WeComBotConfig } from '@wxnotify/core';
import { startFakeRobot, type FakeRobotOptions } from '../fakes/wecom';
import { VirtualClock } from '../support/virtual-clock';
import { rejection } from '../support/notify-errors';

const started: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((fake) => fake.close()));
});

async function fake(options: FakeRobotOptions) {
  const robot = await startFakeRobot(options);
  started.push(robot);
  return robot;
}

async function setup(options: FakeRobotOptions = {}, config: Partial<WeComBotConfig> = {}) {
  const clock = new VirtualClock();
  const robot = await fake({ clock, ...options });
  const channel = createChannel({ type: 'wecom-bot', key: robot.key, baseUrl: robot.url, ...config }, { clock, random: () => 0.5 }) as WeComBotChannel;
  return { clock, robot, channel };
}

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('fake png body for the robot')]);
const stripMarker = (part: string) => part.replace(/\n\(\d+\/\d+\)$/, '');

describe('wecom-bot: key handling', () => {
  it('accepts the full webhook URL where the key belongs and takes the key from it', async () => {
    const clock = new VirtualClock();
    const robot = await fake({ clock });
    const channel = createChannel({ type: 'wecom-bot', key: robot.webhookUrl }, { clock }) as WeComBotChannel;
    await channel.send({ content: 'from a pasted URL' });
    expect(robot.delivered).toHaveLength(1);
    expect(robot.server.requests[0].query.get('key')).toBe(robot.key);
  });

  it('rejects malformed keys before any request', () => {
    expect(() => createChannel({ type: 'wecom-bot', key: '' })).toThrow(/key/);
    expect(() => createChannel({ type: 'wecom-bot', key: 'has spaces in it' })).toThrow(/key/);
    expect(() => createChannel({ type: 'wecom-bot', key: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send' })).toThrow(/key=/);
  });

  it('93000 for an unknown key: not retried, hint about key vs URL, key never printed', async () => {
    const { robot } = await setup();
    const wrongKey = '00000000-1111-2222-3333-444444444444';
    const channel = createChannel({ type: 'wecom-bot', key: wrongKey, baseUrl: robot.url }, { clock: new VirtualClock() }) as WeComBotChannel;
    const error = await rejection(channel.send({ content: 'x' }));
    expect(error).toMatchObject({ code: 93000, retryable: false, kind: 'upstream' });
    expect(error.hint).toMatch(/key=/);
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(wrongKey);
    expect(robot.sendCalls).toBe(1);
  });
});

describe('wecom-bot: messages', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    env = await setup();
  });

  it('sends text with mentions on the first part only, split at 2,048 bytes', async () => {
    const content = Array.from({ length: 120 }, (_, i) => `${i} 值班告警 🔔 CPU 95%`).join('\n');
    const result = await env.channel.send({ title: '告警', content, options: { mentionedList: ['zhangsan', '@all'], mentionedMobileList: ['13800001111'] } });
    const parts = env.robot.delivered;
    expect(parts.length).toBeGreaterThan(1);
    expect(result.parts).toBe(parts.length);
    expect(parts[0].payload).toMatchObject({ mentioned_list: ['zhangsan', '@all'], mentioned_mobile_list: ['13800001111'] });
    expect(parts.slice(1).every((p) => p.payload.mentioned_list === undefined)).toBe(true);
    for (const p of parts) expect(utf8Bytes(p.payload.content as string)).toBeLessThanOrEqual(2048);
    expect(parts.map((p) => stripMarker(p.payload.content as string)).join('\n')).toBe(`告警\n${content}`);
  });

  it('splits markdown and markdown_v2 at 4,096 bytes', async () => {
    const content = Array.from({ length: 400 }, (_, i) => `- **item ${i}** 状态正常`).join('\n');
    await env.channel.send({ format: 'markdown', content });
    await env.channel.send({ type: 'markdown_v2', content });
    const md = env.robot.delivered.filter((d) => d.msgtype === 'markdown');
    const v2 = env.robot.delivered.filter((d) => d.msgtype === 'markdown_v2');
    expect(md.length).toBeGreaterThan(1);
    expect(v2.length).toBe(md.length);
    for (const d of env.robot.delivered) {
      expect(utf8Bytes(d.payload.content as string)).toBeLessThanOrEqual(4096);
      expect(utf8Bytes(d.payload.content as string)).toBeGreaterThan(2048 - 100);
    }
  });

  it('sends an image as base64 with the MD5 of the raw bytes', async () => {
    await env.channel.send({ type: 'image', content: '', options: { image: PNG } });
    const payload = env.robot.delivered[0].payload;
    expect(payload.md5).toBe(createHash('md5').update(PNG).digest('hex'));
    expect(Buffer.from(payload.base64 as string, 'base64').equals(PNG)).toBe(true);
    await env.channel.send({ type: 'image', content: '', options: { image: PNG.toString('base64') } });
    expect(env.robot.delivered).toHaveLength(2);
  });

  it('rejects oversized or non-JPG/PNG images before any request', async () => {
    const big = Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]);
    for (const image of [big, Buffer.from('GIF89a-not-allowed'), undefined]) {
      expect((await rejection(env.channel.send({ type: 'image', content: '', options: { image } }))).kind).toBe('validation');
    }
    expect(env.robot.server.requests).toHaveLength(0);
  });

  it('uploads a file with upload_media (part "media") and sends its media_id', async () => {
    await env.channel.send({ type: 'file', content: '', options: { media: { data: Buffer.from('nightly report'), filename: 'report.csv' } } });
    const [[mediaId, upload]] = [...env.robot.uploads.entries()];
    expect(upload.disposition).toMatch(/name="media"; filename="report.csv"/);
    expect(env.robot.delivered[0]).toMatchObject({ msgtype: 'file', payload: { media_id: mediaId } });
    const media = await env.channel.uploadMedia({ data: Buffer.from('second file'), filename: 'b.txt' });
    await env.channel.send({ type: 'file', content: '', options: { mediaId: media.mediaId } });
    expect(env.robot.delivered[1].payload.media_id).toBe(media.mediaId);
  });

  it('sends news and a template_card', async () => {
    await env.channel.send({ type: 'news', title: 'Release 2.0', content: 'What is new', url: 'https://example.com/r', options: { picurl: 'https://example.com/p.png' } });
    const card = { card_type: 'text_notice', main_title: { title: 'Deploy ok' }, card_action: { type: 1, url: 'https://ci.example' } };
    await env.channel.send({ type: 'template_card', content: '', options: { templateCard: card } });
    expect(env.robot.delivered.map((d) => d.msgtype)).toEqual(['news', 'template_card']);
    expect((await rejection(env.channel.send({ type: 'template_card', content: '', options: { templateCard: { card_type: 'vote_interaction' } } }))).kind).toBe('validation');
    expect((await rejection(env.channel.send({ type: 'news', title: 'no url', content: 'x' }))).kind).toBe('validation');
  });

  it('check() validates the key without posting a message', async () => {
    expect(await env.channel.check()).toEqual({ ok: true, message: 'robot key ok' });
    expect(env.robot.uploadCalls).toBe(1);
    expect(env.robot.delivered).toHaveLength(0);
    const other = createChannel({ type: 'wecom-bot', key: '12345678-aaaa-bbbb-cccc-1234567890ab', baseUrl: env.robot.url }) as WeComBotChannel;
    const status = await other.check();
    expect(status).toMatchObject({ ok: false, details: { code: 93000 } });
  });
});

describe('wecom-bot: pacing and failures', () => {
  it('21 sends: the 21st waits a minute of virtual time and no 45009 happens', async () => {
    const { robot, channel, clock } = await setup();
    const start = clock.now();
    // One after another: a virtual clock jumps while requests are in flight, so concurrent sends
    // would let the fake stamp early requests with the late time.
    for (let i = 0; i < 21; i++) expect((await channel.send({ content: `message ${i}` })).ok).toBe(true);
    expect(robot.rateLimited).toBe(0);
    expect(robot.delivered).toHaveLength(21);
    const times = robot.delivered.map((d) => d.at - start).sort((a, b) => a - b);
    expect(times.slice(0, 20).every((t) => t < 60_000)).toBe(true);
    expect(times[20]).toBeGreaterThanOrEqual(60_000);
  });

  it('two channel objects for one robot share the pace', async () => {
    const clock = new VirtualClock();
    const robot = await fake({ clock });
    const limiter = new MemoryRateLimiter(clock);
    const a = createChannel({ type: 'wecom-bot', key: robot.key, baseUrl: robot.url }, { clock, rateLimiter: limiter }) as WeComBotChannel;
    const b = createChannel({ type: 'wecom-bot', key: robot.webhookUrl }, { clock, rateLimiter: limiter }) as WeComBotChannel;
    for (let i = 0; i < 30; i++) await (i % 2 ? a : b).send({ content: `m${i}` });
    expect(clock.slept).toBeGreaterThanOrEqual(60_000);
    expect(robot.rateLimited).toBe(0);
    expect(robot.delivered).toHaveLength(30);
  });

  it('an upstream 45009 is waited out once, and is an error if it persists, never a success', async () => {
    const tight = await setup({ perMinute: 2 });
    const results = await Promise.all([1, 2, 3].map((i) => tight.channel.send({ content: `m${i}` })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(tight.robot.rateLimited).toBe(1);
    expect(tight.clock.slept).toBeGreaterThanOrEqual(60_000);
    const closed = await setup({ perMinute: 0 });
    const error = await rejection(closed.channel.send({ content: 'x' }));
    expect(error).toMatchObject({ code: 45009, kind: 'upstream' });
    expect(closed.robot.delivered).toHaveLength(0);
  });

  it('retries resets and 5xx', async () => {
    const { robot, channel } = await setup();
    robot.server.injectFaults({ reset: 1 });
    expect(await channel.send({ content: 'a' })).toMatchObject({ ok: true, retries: 1, requests: 2 });
    robot.server.injectFaults({ status: { code: 503, count: 2 } });
    expect(await channel.send({ content: 'b' })).toMatchObject({ ok: true, retries: 2, requests: 3 });
  });

  it('every error-table row does what it says (iterated)', async () => {
    const { robot, channel } = await setup({ perMinute: 1000 }, {});
    for (const [code, rule] of Object.entries(weComBotErrors)) {
      const before = robot.sendCalls;
      robot.failNext(Number(code));
      const attempt = channel.send({ content: `row ${code}` });
      if (rule.action === 'fail') {
        const error = await rejection(attempt);
        expect({ code: error.code, retryable: error.retryable, hint: error.hint }).toEqual({ code: Number(code), retryable: false, hint: rule.hint });
        expect(robot.sendCalls - before).toBe(1);
      } else {
        expect((await attempt).retries).toBe(1);
        expect(robot.sendCalls - before).toBe(2);
      }
    }
  });

  it('a split send failing midway reports the delivered parts', async () => {
    const { robot, channel } = await setup();
    robot.failNext(0, 1);
    robot.failNext(40058, 1);
    const content = Array.from({ length: 300 }, (_, i) => `line ${i} ${'y'.repeat(20)}`).join('\n');
    const error = await rejection(channel.send({ content }));
    expect(error.partial).toMatchObject({ ok: false, parts: 1, details: { failedPart: 2 } });
    expect(robot.delivered).toHaveLength(1);
  });
});
