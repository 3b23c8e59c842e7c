/**
 * Alert storms against the quota-enforcing fakes, with default settings (`onQuota: 'coalesce'`),
 * on a virtual clock (test/support/event-clock.ts), so minutes of quota run in seconds:
 * - 100 alerts at once to one WeCom app member (and, for comparison, the same with quotas off)
 * - 100 alerts at once to one group robot
 * - 1,000 alerts over 60 s to 10 members
 * - sends/s of the channel (quota checked, none hit) versus a bare keep-alive node:http client
 * Figures, not assertions. "dropped" = alerts whose content never reached their member.
 */
import http from 'node:http';
import { createChannel, MemoryTokenStore, type Notification, type SendResult, type WeComAppChannel, type WeComBotChannel } from '../core/dist';
import { NodeHttpTransport } from '../core/dist/transport/node-http-transport';
import { startFakeRobot, startFakeWeCom, type FakeWeCom } from '../test/fakes/wecom';
import { EventClock } from '../test/support/event-clock';

interface Delivery {
  at: number;
  text: string;
}

/** The most deliveries inside any 60 s. */
function busiestMinute(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end] - sorted[start] >= 60_000) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

/** When each alert (`#<n>#` in its text) first became visible, from what the member received. */
function visibility(deliveries: Delivery[], count: number): Map<number, number> {
  const seen = new Map<number, number>();
  for (const d of [...deliveries].sort((a, b) => a.at - b.at)) {
    for (const m of d.text.matchAll(/#(\d+)#/g)) {
      const n = Number(m[1]);
      if (n < count && !seen.has(n)) seen.set(n, d.at);
    }
  }
  return seen;
}

function report(label: string, count: number, deliveries: Delivery[], t0: number, extra: string[] = []): void {
  const seen = visibility(deliveries, count);
  const last = seen.size > 0 ? Math.max(...seen.values()) - t0 : NaN;
  console.log(`${label}:`);
  console.log(`  reached the member: ${seen.size}/${count}; silently dropped: ${count - seen.size}`);
  console.log(`  messages: ${deliveries.length}; busiest minute: ${busiestMinute(deliveries.map((d) => d.at))} messages`);
  console.log(`  last alert visible after ${(last / 1000).toFixed(1)} s (virtual clock)`);
  for (const line of extra) console.log(`  ${line}`);
}

const alert = (n: number, to?: Notification['to']): Notification<any, any> => ({
  title: `[FIRING] HighCPU #${n}#`,
  content: `instance: host-${n % 17}:9100\nsummary: CPU above 90% for 5m\nvalue: ${90 + (n % 10)}%`,
  ...(to ? { to } : {}),
});

async function appStorm(quotasOff: boolean): Promise<void> {
  const clock = new EventClock();
  const wecom = await startFakeWeCom({ clock });
  const transport = new NodeHttpTransport();
  const channel = createChannel(
    { type: 'wecom-app', ...wecom.credentials, baseUrl: wecom.url, ...(quotasOff ? { quotas: { perMemberPerMinute: false, perMemberPerHour: false } } : {}) },
    { clock, transport: clock.track(transport), tokenStore: new MemoryTokenStore() },
  ) as WeComAppChannel;
  const t0 = clock.now();
  const results = await Promise.all(Array.from({ length: 100 }, (_, i) => channel.send(alert(i, { users: ['zhangsan'] }))));
  const deliveries = wecom.receivedBy('zhangsan').map((d) => ({ at: d.at, text: String(d.payload.content ?? '') }));
  report(quotasOff ? '100 alerts at once to one app member, quotas OFF (what the core did before)' : '100 alerts at once to one app member', 100, deliveries, t0, [
    `send() results ok: ${results.filter((r) => r.ok).length}/100, coalesced: ${results.filter((r) => r.coalesced).length}; fake's silent per-member drops: ${wecom.quotaDrops}; duplicate check window: ${results[0].duplicateCheckSeconds} s`,
  ]);
  transport.close();
  await wecom.close();
}

async function robotStorm(): Promise<void> {
  const clock = new EventClock();
  const robot = await startFakeRobot({ clock });
  const transport = new NodeHttpTransport();
  const channel = createChannel({ type: 'wecom-bot', key: robot.key, baseUrl: robot.url }, { clock, transport: clock.track(transport) }) as WeComBotChannel;
  const t0 = clock.now();
  const results = await Promise.all(Array.from({ length: 100 }, (_, i) => channel.send(alert(i))));
  const deliveries = robot.delivered.map((d) => ({ at: d.at, text: String(d.payload.content ?? '') }));
  report('100 alerts at once to one robot', 100, deliveries, t0, [
    `messages in the first 61 s: ${deliveries.filter((d) => d.at < t0 + 61_000).length}; 45009 answers: ${robot.rateLimited}; send() results ok: ${results.filter((r) => r.ok).length}/100`,
  ]);
  transport.close();
  await robot.close();
}

async function teamStorm(): Promise<void> {
  const clock = new EventClock();
  const wecom = await startFakeWeCom({ clock });
  const transport = new NodeHttpTransport();
  const channel = createChannel({ type: 'wecom-app', ...wecom.credentials, baseUrl: wecom.url }, { clock, transport: clock.track(transport), tokenStore: new MemoryTokenStore() }) as WeComAppChannel;
  const members = Array.from({ length: 10 }, (_, i) => `oncall${i}`);
  const t0 = clock.now();
  const sends: Array<Promise<SendResult>> = [];
  for (let i = 0; i < 1000; i++) {
    sends.push(channel.send(alert(i, { users: [members[i % 10]] })));
    await clock.sleep(60); // 1,000 alerts spread over 60 s
  }
  const results = await Promise.all(sends);
  let reached = 0;
  let busiest = 0;
  let last = 0;
  let messages = 0;
  for (const [m, member] of members.entries()) {
    const deliveries = wecom.receivedBy(member).map((d) => ({ at: d.at, text: String(d.payload.content ?? '') }));
    const seen = visibility(deliveries, 1000);
    reached += [...seen.keys()].filter((n) => n % 10 === m).length;
    busiest = Math.max(busiest, busiestMinute(deliveries.map((d) => d.at)));
    last = Math.max(last, ...seen.values());
    messages += deliveries.length;
  }
  console.log('1,000 alerts over 60 s to 10 members:');
  console.log(`  reached their member: ${reached}/1000; silently dropped: ${1000 - reached}; fake's silent per-member drops: ${wecom.quotaDrops}`);
  console.log(`  messages: ${messages}; busiest minute of any member: ${busiest} messages`);
  console.log(`  last alert visible after ${((last - t0) / 1000).toFixed(1)} s (virtual clock); send() results ok: ${results.filter((r) => r.ok).length}/1000`);
  transport.close();
  await wecom.close();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = (sorted.length - 1) / 2;
  return (sorted[Math.floor(mid)] + sorted[Math.ceil(mid)]) / 2;
}

async function pool(count: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await task(next++);
  }));
  return count / (Number(process.hrtime.bigint() - started) / 1e9);
}

/** Default quotas, checked on every send and never hit: one message per member per run. */
async function hotPathRatio(): Promise<void> {
  const wecom = await startFakeWeCom({ memberQuota: false });
  const transport = new NodeHttpTransport();
  const channel = createChannel({ type: 'wecom-app', ...wecom.credentials, baseUrl: wecom.url }, { transport, tokenStore: new MemoryTokenStore() }) as WeComAppChannel;
  await channel.send({ content: 'warm', to: { users: ['warm'] } });
  const token = wecom.issuedToken!;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 50 });
  const url = new URL(`${wecom.url}/cgi-bin/message/send?access_token=${encodeURIComponent(token)}`);
  const bare = (body: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', reject);
      req.end(body);
    });
  const N = 2000;
  const ratios: number[] = [];
  for (let round = 0; round < 10; round++) {
    const ours = (): Promise<number> => pool(N, 50, (i) => channel.send({ content: `r${round} ${i}`, to: { users: [`m${i}`] } }));
    const theirs = (): Promise<number> =>
      pool(N, 50, (i) => bare(JSON.stringify({ touser: `m${i}`, msgtype: 'text', agentid: wecom.agentId, text: { content: `b${round} ${i}` }, enable_duplicate_check: 1, duplicate_check_interval: 300 })));
    // The order inside a pair alternates so neither side always runs first.
    let bareRate: number;
    let ourRate: number;
    if (round % 2 === 0) {
      bareRate = await theirs();
      ourRate = await ours();
    } else {
      ourRate = await ours();
      bareRate = await theirs();
    }
    ratios.push(ourRate / bareRate);
  }
  console.log(`throughput, channel with default quotas (checked, none hit) / bare node:http client: median ${median(ratios).toFixed(2)} over ${ratios.length} alternating pairs of ${N} sends (target ≥ 0.9)`);
  agent.destroy();
  transport.close();
  await wecom.close();
}

export async function run(): Promise<void> {
  await hotPathRatio();
  await appStorm(true);
  await appStorm(false);
  await robotStorm();
  await teamStorm();
}
