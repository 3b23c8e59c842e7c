/**
 * WeCom app channel against the fake WeCom on loopback:
 * - gettoken calls for 1,000 concurrent cold sends and after a forced invalidation
 * - HTTP calls for one send to 10,000 users
 * - sends/s of the channel versus a bare keep-alive node:http client posting the same bodies
 *   at the same concurrency (target: ≥ 0.9 of the bare client)
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import readline from 'node:readline';
import { createChannel, MemoryTokenStore, type Transport, type WeComAppChannel } from '../core/dist';
import { AxiosTransport } from '../core/dist/transport/axios-transport';
import { NodeHttpTransport } from '../core/dist/transport/node-http-transport';
import { startFakeWeCom, type FakeWeCom } from '../test/fakes/wecom';

const CONCURRENCY = 50;
/**
 * Throughput runs send thousands of messages to one member: the quota checks run on every send,
 * with budgets raised so that none is hit (the figure is the cost of checking, not of coalescing).
 */
const NO_QUOTA_HIT = { quotas: { perMemberPerMinute: { limit: 1e9 }, perMemberPerHour: { limit: 1e9 } } };
/** Sends per run in the throughput comparisons; many short alternating pairs beat few long ones on a noisy machine. */
const PAIR_MESSAGES = Number(process.env.WECOM_BENCH_MESSAGES ?? 2000);

function newChannel(wecom: FakeWeCom, transport?: Transport): WeComAppChannel {
  return createChannel({ type: 'wecom-app', ...wecom.credentials, baseUrl: wecom.url, ...NO_QUOTA_HIT }, { tokenStore: new MemoryTokenStore(), ...(transport ? { transport } : {}) }) as WeComAppChannel;
}

async function runPool(count: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

interface Run {
  rate: number;
  cpuMicros: number;
}

/** Sends/s and this process's CPU (user + system) per send for `count` sends at CONCURRENCY. */
async function timed(count: number, task: (i: number) => Promise<unknown>): Promise<Run> {
  const cpu = process.cpuUsage();
  const seconds = await runPool(count, CONCURRENCY, task);
  const used = process.cpuUsage(cpu);
  return { rate: count / seconds, cpuMicros: (used.user + used.system) / count };
}

/** `rounds` pairs, the order inside a pair alternating so neither side always runs first. */
async function alternatingPairs(rounds: number, bare: (tag: string) => Promise<Run>, ours: (tag: string) => Promise<Run>): Promise<Array<{ bare: Run; ours: Run }>> {
  const pairs: Array<{ bare: Run; ours: Run }> = [];
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      const b = await bare(`b${round}`);
      pairs.push({ bare: b, ours: await ours(`o${round}`) });
    } else {
      const o = await ours(`o${round}`);
      pairs.push({ ours: o, bare: await bare(`b${round}`) });
    }
  }
  return pairs;
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  return sorted[Math.floor(at)] + (sorted[Math.ceil(at)] - sorted[Math.floor(at)]) * (at - Math.floor(at));
}

function median(values: number[]): number {
  return quantile(values, 0.5);
}

/** "median 0.95 (middle half 0.91 to 0.99, n = 20)". */
function spread(values: number[]): string {
  return `median ${median(values).toFixed(2)} (middle half ${quantile(values, 0.25).toFixed(2)} to ${quantile(values, 0.75).toFixed(2)}, n = ${values.length})`;
}

function bareBody(agentId: number, content: string): string {
  return JSON.stringify({ touser: 'zhangsan', msgtype: 'text', agentid: agentId, text: { content }, enable_duplicate_check: 1, duplicate_check_interval: 300 });
}

function barePost(agent: http.Agent, url: URL, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const reply = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { errcode: number };
          if (reply.errcode !== 0) reject(new Error(`errcode ${reply.errcode}`));
          else resolve();
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function run(): Promise<void> {
  // The throughput comparisons run first, on a fresh heap: the count sections below leave
  // thousands of finished sends for the GC, which would tax whichever side runs after them.
  // 3. throughput: channel vs bare keep-alive client, same bodies, same concurrency. Every run gets
  // a fresh fake (its state grows during a run) and the order alternates inside each pair; the
  // figure is the median of the per-pair ratios (this machine's speed drifts between pairs).
  {
    const measure = async (kind: 'bare' | 'node' | 'axios', tag: string): Promise<Run> => {
      const wecom = await startFakeWeCom({ memberQuota: false });
      const transport = kind === 'node' ? new NodeHttpTransport() : kind === 'axios' ? new AxiosTransport() : undefined;
      const channel = newChannel(wecom, transport);
      await channel.send({ content: 'warm', to: { users: ['zhangsan'] } });
      const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
      const url = new URL(`${wecom.url}/cgi-bin/message/send?access_token=${wecom.issuedToken!}`);
      const run =
        kind === 'bare'
          ? await timed(PAIR_MESSAGES, (i) => barePost(agent, url, bareBody(wecom.agentId, `${tag} ${i}`)))
          : await timed(PAIR_MESSAGES, (i) => channel.send({ content: `${tag} ${i}`, to: { users: ['zhangsan'] } }));
      agent.destroy();
      transport?.close();
      await wecom.close();
      return run;
    };
    const pairs = await alternatingPairs(10, (tag) => measure('bare', tag), (tag) => measure('node', tag));
    const axios = await alternatingPairs(2, (tag) => measure('bare', tag), (tag) => measure('axios', tag));
    console.log(`throughput, ${PAIR_MESSAGES} text sends at concurrency ${CONCURRENCY} (loopback, fake in the same process, ${pairs.length} alternating pairs):`);
    console.log(`  bare node:http keep-alive client:          median ${median(pairs.map((p) => p.bare.rate)).toFixed(0)} sends/s`);
    console.log(`  wecom-app channel, NodeHttpTransport:      median ${median(pairs.map((p) => p.ours.rate)).toFixed(0)} sends/s`);
    console.log(`  ratio channel/bare: ${spread(pairs.map((p) => p.ours.rate / p.bare.rate))}`);
    console.log(`  wecom-app channel, optional AxiosTransport: ratio ${spread(axios.map((p) => p.ours.rate / p.bare.rate))}`);
  }
  // 4. the same comparison with the fake in its own process (like a real upstream): throughput and
  //    the client process's CPU per send (user + system)
  {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'wecom-fake-process.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve) => readline.createInterface({ input: child.stdout! }).once('line', resolve));
    const fake = JSON.parse(line) as { url: string; corpId: string; corpSecret: string; agentId: number };
    const transport = new NodeHttpTransport();
    const channel = createChannel({ type: 'wecom-app', ...fake, baseUrl: fake.url, ...NO_QUOTA_HIT }, { transport, tokenStore: new MemoryTokenStore() }) as WeComAppChannel;
    await channel.send({ content: 'warm', to: { users: ['zhangsan'] } });
    const tokenReply = await transport.request({ method: 'GET', url: `${fake.url}/cgi-bin/gettoken?corpid=${fake.corpId}&corpsecret=${fake.corpSecret}` });
    const url = new URL(`${fake.url}/cgi-bin/message/send?access_token=${(JSON.parse(tokenReply.text) as { access_token: string }).access_token}`);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const bare = (tag: string) => timed(PAIR_MESSAGES, (i) => barePost(agent, url, bareBody(fake.agentId, `${tag} ${i}`)));
    const ours = (tag: string) => timed(PAIR_MESSAGES, (i) => channel.send({ content: `${tag} ${i}`, to: { users: ['zhangsan'] } }));
    // Warm-up (not counted): both paths run at full concurrency once so the JIT and the socket
    // pools are warm before the first measured pair.
    await alternatingPairs(1, bare, ours);
    const rows = await alternatingPairs(20, bare, ours);
    console.log(`fake in its own process, ${PAIR_MESSAGES} sends at concurrency ${CONCURRENCY}, ${rows.length} alternating pairs (medians):`);
    console.log(`  bare client: ${median(rows.map((r) => r.bare.rate)).toFixed(0)} sends/s, ${median(rows.map((r) => r.bare.cpuMicros)).toFixed(1)} µs client CPU per send`);
    console.log(`  channel:     ${median(rows.map((r) => r.ours.rate)).toFixed(0)} sends/s, ${median(rows.map((r) => r.ours.cpuMicros)).toFixed(1)} µs client CPU per send`);
    console.log(`  ratio channel/bare, throughput: ${spread(rows.map((r) => r.ours.rate / r.bare.rate))}`);
    console.log(`  ratio channel/bare, CPU efficiency: ${spread(rows.map((r) => r.bare.cpuMicros / r.ours.cpuMicros))}`);
    agent.destroy();
    transport.close();
    child.stdin!.end();
    await new Promise((resolve) => child.once('exit', resolve));
  }
  // 1. token single flight
  {
    const wecom = await startFakeWeCom({ memberQuota: false });
    const channel = newChannel(wecom);
    await Promise.all(Array.from({ length: 1000 }, (_, i) => channel.send({ content: `cold ${i}`, to: { users: ['zhangsan'] } })));
    const cold = wecom.gettokenCalls;
    wecom.invalidateTokens(42001);
    await Promise.all(Array.from({ length: 1000 }, (_, i) => channel.send({ content: `again ${i}`, to: { users: ['zhangsan'] } })));
    const countLine2 = `gettoken calls, 1,000 concurrent cold sends:            ${cold}`;
    console.log(countLine2);
    const countLine3 = `gettoken calls, 1,000 concurrent sends after 42001:     ${wecom.gettokenCalls - cold}  (message/send calls: ${wecom.sendCalls}, 2 per replayed send)`;
    console.log(countLine3);
    await wecom.close();
  }
  // 2. batching
  {
    const wecom = await startFakeWeCom({ memberQuota: false });
    const channel = newChannel(wecom);
    const users = Array.from({ length: 10_000 }, (_, i) => `user${i}`);
    const result = await channel.send({ content: 'release 1.2.3 is out', to: { users } });
    const countLine4 = `HTTP calls for one send to 10,000 users:                ${wecom.sendCalls} message/send + ${wecom.gettokenCalls} gettoken (batches ${result.batches})`;
    console.log(countLine4);
    await wecom.close();
  }
  // 5. the core's own CPU per send (render, split check, batch, pipeline, parse), no network
  {
    const canned = JSON.stringify({ errcode: 0, errmsg: 'ok', invaliduser: '', invalidparty: '', invalidtag: '', unlicenseduser: '', msgid: 'm' });
    const memory: Transport = {
      request: async (req) => ({
        status: 200,
        headers: {},
        text: req.url.includes('/gettoken') ? JSON.stringify({ errcode: 0, errmsg: 'ok', access_token: 'token-in-memory', expires_in: 7200 }) : canned,
      }),
    };
    const channel = createChannel({ type: 'wecom-app', corpId: 'wwbench', corpSecret: 'bench-secret', agentId: 1, ...NO_QUOTA_HIT }, { transport: memory, tokenStore: new MemoryTokenStore() }) as WeComAppChannel;
    let best = Infinity;
    for (let round = 0; round < 3; round++) {
      const seconds = await runPool(50_000, CONCURRENCY, (i) => channel.send({ content: `cpu ${i}`, to: { users: ['zhangsan'] } }));
      best = Math.min(best, (seconds / 50_000) * 1e6);
    }
    console.log(`core CPU per send with an in-memory transport:          ${best.toFixed(1)} µs`);
  }
}
