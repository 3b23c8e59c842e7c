import { createChannel, Digest, type SendResult, type WeComBotChannel } from '@wxnotify/core';
import { NodeHttpTransport } from '@wxnotify/core/node-http';
import { startFakeRobot, type FakeRobot } from '../fakes/wecom';
import { EventClock } from '../support/event-clock';

const transport = new NodeHttpTransport();
let robot: FakeRobot;
let clock: EventClock;

async function setup(config: Record<string, unknown> = {}): Promise<WeComBotChannel> {
  clock = new EventClock();
  robot = await startFakeRobot({ clock });
  return createChannel({ type: 'wecom-bot', key: robot.key, baseUrl: robot.url, ...config }, { clock, transport: clock.track(transport) }) as WeComBotChannel;
}

afterEach(() => robot?.close());

const contentOf = (d: { payload: Record<string, unknown> }): string => String(d.payload.content ?? '');
const numbers = (texts: string[], label: string): number[] => texts.flatMap((t) => [...t.matchAll(new RegExp(`${label} (\\d+)`, 'g'))].map((m) => Number(m[1])));

describe('wecom-bot storms: 20 per minute folded into the quota gate', () => {
  it('100 alerts at once: no 45009, ≤ 21 messages in the first 61 s, every alert visible in order within 65 s', async () => {
    const channel = await setup();
    const t0 = clock.now();
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => channel.send({ title: `告警 ${i + 1}`, content: `服务 svc-${i} 响应超时`, options: i === 50 ? { mentionedList: ['oncall'] } : undefined })),
    );
    expect(robot.rateLimited).toBe(0);
    expect(robot.delivered.filter((d) => d.at < t0 + 61_000).length).toBeLessThanOrEqual(21);
    expect(Math.max(...robot.delivered.map((d) => d.at)) - t0).toBeLessThanOrEqual(65_000);
    expect(numbers(robot.delivered.map(contentOf), '告警')).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(robot.delivered.length).toBeLessThan(30);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.slice(20).every((r) => r.coalesced?.reason === 'quota')).toBe(true);
    // A merged message still @-mentions whoever its items mentioned.
    const mentioned = robot.delivered.find((d) => contentOf(d).includes('告警 51'))!;
    expect(mentioned.payload.mentioned_list).toEqual(['oncall']);
  });

  it('perMinute in the config lowers the budget; wait mode paces like before', async () => {
    const channel = await setup({ perMinute: 5, onQuota: 'wait' });
    const t0 = clock.now();
    await Promise.all(Array.from({ length: 12 }, (_, i) => channel.send({ content: `paced ${i + 1}` })));
    expect(robot.delivered.map(contentOf)).toEqual(Array.from({ length: 12 }, (_, i) => `paced ${i + 1}`));
    expect(robot.delivered.filter((d) => d.at < t0 + 61_000)).toHaveLength(5);
    expect(robot.rateLimited).toBe(0);
  });
});

describe('Digest: one message per key and window', () => {
  it('collects per key for the window, sends one message, and starts a new window for later items', async () => {
    const channel = await setup();
    const digest = new Digest({ windowMs: 60_000, clock, send: (n) => channel.send(n) });
    const t0 = clock.now();
    const add = (key: string, title: string): Promise<SendResult> => digest.add(key, { title, content: 'details' });
    const first = [add('db', 'db 1'), add('web', 'web 1')];
    await clock.sleep(10_000);
    first.push(add('db', 'db 2'));
    await clock.sleep(40_000);
    first.push(add('db', 'db 3'));
    expect(digest.pending()).toBe(4);
    const results = await Promise.all(first);
    await clock.sleep(20_000); // t0 + 80 s: the db window closed at t0 + 60 s
    const late = await add('db', 'db 4');

    const texts = robot.delivered.map(contentOf);
    expect(robot.delivered).toHaveLength(3);
    expect(texts[0]).toMatch(/^【汇总 3 条通知 #1】/);
    expect(numbers([texts[0]], 'db')).toEqual([1, 2, 3]);
    expect(robot.delivered[0].at).toBe(t0 + 60_000);
    expect(numbers([texts[1]], 'web')).toEqual([1]);
    expect(robot.delivered[2].at).toBe(t0 + 80_000 + 60_000);
    expect(results.map((r) => r.coalesced)).toEqual([
      { reason: 'digest', items: 3, position: 1 },
      { reason: 'digest', items: 1, position: 1 },
      { reason: 'digest', items: 3, position: 2 },
      { reason: 'digest', items: 3, position: 3 },
    ]);
    expect(results[0].queuedMs).toBe(60_000);
    expect(late.coalesced).toEqual({ reason: 'digest', items: 1, position: 1 });
    expect(texts[2]).toMatch(/#2】/);
  });

  it('sends as soon as maxItems are waiting; flush() sends open windows now; a custom render decides the message', async () => {
    const channel = await setup();
    const digest = new Digest<{ name: string }>({
      windowMs: 300_000,
      maxItems: 3,
      clock,
      send: (n) => channel.send(n),
      render: (items, { key, sequence }) => ({ content: `${key} #${sequence}: ${items.map((i) => i.name).join(', ')}` }),
    });
    const t0 = clock.now();
    const full = await Promise.all(['a', 'b', 'c'].map((name) => digest.add('k', { name })));
    expect(robot.delivered.map(contentOf)).toEqual(['k #1: a, b, c']);
    expect(robot.delivered[0].at).toBe(t0);
    expect(full.map((r) => r.coalesced?.position)).toEqual([1, 2, 3]);
    const open = digest.add('k', { name: 'd' });
    await digest.flush();
    await open;
    expect(robot.delivered.map(contentOf)).toEqual(['k #1: a, b, c', 'k #2: d']);
    expect(digest.pending()).toBe(0);
  });

  it('rejects every item of a digest whose send failed', async () => {
    const channel = await setup();
    robot.failNext(93000);
    const digest = new Digest({ windowMs: 1000, clock, send: (n) => channel.send(n) });
    const settled = await Promise.allSettled([digest.add('k', { content: 'x' }), digest.add('k', { content: 'y' })]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect((settled[0] as PromiseRejectedResult).reason).toMatchObject({ code: 93000 });
  });
});
