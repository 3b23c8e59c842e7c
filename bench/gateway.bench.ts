/**
 * Gateway figures: requests per second through `POST /api/notify/{code}` (real gateway, fake
 * WeCom upstream on loopback), and the same sends made with the core directly in the same run,
 * so the difference is the gateway's own cost (HTTP in, JSON, Code lookup + rate limit, store
 * update, logging). Then the wrong-Code timing: a random well-formed Code and a near miss of a
 * real one (its last character changed) must answer 404 in the same time, or response times
 * would leak how close a guess is. Prints numbers only.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChannel, mapLimit, type WeComAppConfig } from '../core/dist';
import { NodeHttpTransport } from '../core/dist/transport/node-http-transport';
import type { startGateway as StartGateway } from '../gateway/src/bootstrap';
import type { loadConfig as LoadConfig } from '../gateway/src/config';
import { FakeWeCom } from '../test/fakes/wecom';
import { startTempPostgres } from '../test/gateway/support/postgres';

const REQUESTS = 1500;
const CONCURRENCY = 16;
const fmt = (n: number, digits = 1): string => n.toLocaleString('en-US', { maximumFractionDigits: digits });

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(label: string, send: (i: number) => Promise<void>): Promise<{ rps: number; p50: number; p99: number }> {
  const latencies: number[] = [];
  for (let i = 0; i < 50; i++) await send(-1 - i); // warm-up: JIT, keep-alive sockets, token
  const start = process.hrtime.bigint();
  await mapLimit(
    Array.from({ length: REQUESTS }, (_, i) => i),
    CONCURRENCY,
    async (i) => {
      const t0 = process.hrtime.bigint();
      await send(i);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    },
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  latencies.sort((a, b) => a - b);
  const figures = { rps: REQUESTS / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  console.log(`${label}: ${fmt(figures.rps, 0)} req/s, p50 ${fmt(figures.p50, 2)} ms, p99 ${fmt(figures.p99, 2)} ms (${REQUESTS} sends, ${CONCURRENCY} at a time)`);
  return figures;
}

/** A plain keep-alive JSON POST, so the client side costs the same for both paths. */
export function postJson(agent: http.Agent, url: string, body: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Latency of refusals for two kinds of wrong Code, interleaved so machine noise hits both alike:
 * random well-formed Codes, and the real Code with its last character changed. Both are looked up
 * before the per-address guess limit answers 429, so both answers time the lookup.
 */
async function wrongCodeTiming(agent: http.Agent, url: string, code: string): Promise<void> {
  const ROUNDS = 2000;
  const nearMiss = (i: number) => `${code.slice(0, -1)}${'ABCDEFGHIJ'.replace(code.slice(-1), '')[i % 9]}`;
  const random = () => randomBytes(24).toString('base64url');
  const timings = { random: [] as number[], near: [] as number[] };
  const body = JSON.stringify({ content: 'guess' });
  let other = 0;
  for (let i = 0; i < ROUNDS; i++) {
    for (const kind of i % 2 ? (['near', 'random'] as const) : (['random', 'near'] as const)) {
      const guess = kind === 'near' ? nearMiss(i) : random();
      const t0 = process.hrtime.bigint();
      const status = await postJson(agent, `${url}/api/notify/${guess}`, body);
      timings[kind].push(Number(process.hrtime.bigint() - t0) / 1e3);
      if (status !== 404 && status !== 429) other++;
    }
  }
  const stats = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p90: percentile(sorted, 90) };
  };
  const [r, n] = [stats(timings.random), stats(timings.near)];
  console.log(
    `wrong-Code timing, ${ROUNDS} of each interleaved: random Code p50 ${fmt(r.p50, 0)} µs / p90 ${fmt(r.p90, 0)} µs; near miss p50 ${fmt(n.p50, 0)} µs / p90 ${fmt(n.p90, 0)} µs; difference of medians ${fmt(n.p50 - r.p50, 0)} µs; answers other than 404 (or 429 once the per-address guess limit is reached): ${other}`,
  );
}

/**
 * The gateway is a Nest app (decorators), which tsx does not compile here: build it (and the Nest
 * module it runs on) with tsc and load the ES modules from dist.
 */
export async function loadGateway(): Promise<{ startGateway: typeof StartGateway; loadConfig: typeof LoadConfig }> {
  const root = join(__dirname, '..');
  const tsc = require.resolve('typescript/bin/tsc');
  for (const project of ['nest-module/tsconfig.build.json', 'gateway/tsconfig.build.json']) execFileSync(process.execPath, [tsc, '-p', join(root, project)], { stdio: 'inherit' });
  const { startGateway } = (await import(join(root, 'gateway/dist/bootstrap.js'))) as { startGateway: typeof StartGateway };
  const { loadConfig } = (await import(join(root, 'gateway/dist/config.js'))) as { loadConfig: typeof LoadConfig };
  return { startGateway, loadConfig };
}

/**
 * Transactions committed in the database so far, as Postgres counts them (pg_stat_database), once
 * the counts of closed connections have arrived (steady between two looks, but for the looks' own).
 */
async function committedTransactions(url: string): Promise<number> {
  const { default: pg } = await import('pg');
  let last = -Infinity;
  for (let look = 0; look < 20; look++) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ n: string }>('SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()');
    await client.end();
    const n = Number(rows[0]!.n);
    if (n - last <= 2) return n;
    last = n;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return last;
}

/**
 * What the shared limits cost on one replica: the same gateway on Postgres with the request
 * limits counted in the database (the default there) and with per-process counters
 * (WXNOTIFY_SHARED_LIMITS=off), in alternating rounds so machine noise hits both alike. The sends
 * go through a named WeCom app channel with an API key (one shared-limit take per request) and
 * WeCom's per-member quotas off, so that the quota pacing of the core does not set the pace.
 * Concurrent takes on the key are grouped (SharedRequestLimits): the round trips per send are
 * counted by Postgres, a figure that other jobs on the machine hardly move.
 */
async function sharedLimitsCost(startGateway: typeof StartGateway, loadConfig: typeof LoadConfig, wecom: FakeWeCom, agent: http.Agent): Promise<void> {
  const pg = startTempPostgres();
  if (!pg) {
    console.log('shared limits on Postgres: skipped (no Postgres installed)');
    return;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'wxnotify-bench-pg-'));
  const apiKey = `wxk_bench_${randomBytes(16).toString('hex')}`;
  try {
    const rates: Record<'on' | 'off', number[]> = { on: [], off: [] };
    const cpuPerSend: Record<'on' | 'off', number[]> = { on: [], off: [] };
    const statementsPerSend: Record<'on' | 'off', number[]> = { on: [], off: [] };
    const rounds = Math.max(2, Number(process.env.SHARED_LIMITS_ROUNDS ?? 4));
    for (let round = 0; round < rounds; round++) {
      const shared = round % 2 === 0 ? 'off' : 'on';
      const committedBefore = await committedTransactions(pg.url);
      const gateway = await startGateway(
        {
          ...loadConfig({ PORT: '0', WXNOTIFY_HOST: '127.0.0.1', WXNOTIFY_DATA_DIR: dataDir, WXNOTIFY_DATABASE_URL: pg.url, WXNOTIFY_SHARED_LIMITS: shared, WXNOTIFY_API_KEYS: apiKey, WXNOTIFY_SECRET_KEY: 'b'.repeat(64), WXNOTIFY_ADMIN_PASSWORD: 'bench-password', WXNOTIFY_LOG_LEVEL: 'warn' }),
          apiKeyRatePerMinute: 1_000_000,
          channels: { ops: { type: 'wecom-app', ...wecom.credentials, baseUrl: wecom.url, defaultTo: { users: ['zhangsan'] }, quotas: { perMemberPerMinute: false, perMemberPerHour: false } } as never },
        },
        { log: () => undefined },
      );
      try {
        const headers = { authorization: `Bearer ${apiKey}` };
        const cpuBefore = process.cpuUsage();
        const figures = await measure(`gateway on Postgres, 1 replica, POST /api/channels/ops/send, shared limits ${shared}`, async (i) => {
          await postJson(agent, `${gateway.url}/api/channels/ops/send`, JSON.stringify({ title: 'Alert', content: `PG alert #${round}-${i}` }), headers);
        });
        const cpu = process.cpuUsage(cpuBefore);
        // This process's CPU (gateway + bench client, warm-up included) per send: steadier than req/s when other work shares the machine.
        cpuPerSend[shared].push((cpu.user + cpu.system) / (REQUESTS + 50));
        rates[shared].push(figures.rps);
      } finally {
        await gateway.close();
      }
      // Everything this gateway committed, start-up included, per send (statements outside a transaction commit one each).
      statementsPerSend[shared].push(((await committedTransactions(pg.url)) - committedBefore) / (REQUESTS + 50));
    }
    const best = (values: number[]) => Math.max(...values);
    const least = (values: number[]) => Math.min(...values);
    console.log(`shared limits cost on one replica (Postgres, best of ${rates.on.length} rounds each): ${fmt((1 - best(rates.on) / best(rates.off)) * 100)}% of throughput (${fmt(best(rates.on), 0)} vs ${fmt(best(rates.off), 0)} req/s)`);
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    console.log(`shared limits round trips: ${fmt(median(statementsPerSend.on) - median(statementsPerSend.off), 3)} more committed statements per send with them on (median ${fmt(median(statementsPerSend.on), 3)} vs ${fmt(median(statementsPerSend.off), 3)}, counted by Postgres)`);
    console.log(`shared limits CPU in the gateway process (least of ${rates.on.length} rounds each): ${fmt(least(cpuPerSend.on), 0)} vs ${fmt(least(cpuPerSend.off), 0)} µs per send (${fmt((least(cpuPerSend.on) / least(cpuPerSend.off) - 1) * 100)}%)`);
  } finally {
    pg.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** `BENCH_ONLY=shared-limits npm run bench gateway`: that section alone (a quick A/B), SHARED_LIMITS_ROUNDS rounds (default 4). */
async function sharedLimitsOnly(startGateway: typeof StartGateway, loadConfig: typeof LoadConfig): Promise<void> {
  const wecom = await FakeWeCom.start();
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    await sharedLimitsCost(startGateway, loadConfig, wecom, agent);
  } finally {
    agent.destroy();
    await wecom.close();
  }
}

export async function run(): Promise<void> {
  const { startGateway, loadConfig } = await loadGateway();
  if (process.env.BENCH_ONLY === 'shared-limits') return sharedLimitsOnly(startGateway, loadConfig);
  // `WXNOTIFY_DELIVERY_LOG=off npm run bench gateway` shows what the default delivery log (all) costs the Code route.
  const deliveryLog = process.env.WXNOTIFY_DELIVERY_LOG ?? 'all';
  const wecom = await FakeWeCom.start();
  const dataDir = mkdtempSync(join(tmpdir(), 'wxnotify-bench-'));
  const gateway = await startGateway(
    {
      ...loadConfig({ PORT: '0', WXNOTIFY_HOST: '127.0.0.1', WXNOTIFY_DATA_DIR: dataDir, WXNOTIFY_SECRET_KEY: 'b'.repeat(64), WXNOTIFY_ADMIN_PASSWORD: 'bench-password', WXNOTIFY_WECOM_BASE_URL: wecom.url, WXNOTIFY_LOG_LEVEL: 'warn', WXNOTIFY_DELIVERY_LOG: deliveryLog }),
      codeRatePerMinute: 1_000_000,
    },
    { log: () => undefined },
  );
  // The transport the gateway itself uses by default, so the difference is the gateway's own work.
  const transport = new NodeHttpTransport();
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    const users = Array.from({ length: 200 }, (_, i) => `user${i}`);
    const { code } = await gateway.runtime.codes.create({ ...wecom.credentials, to: { users: ['zhangsan'] }, name: 'bench' });
    // One Code per member for the throughput run: 1,500 requests to one member would (rightly) be
    // coalesced at WeCom's 30 per minute per member; ~16 per member keeps every quota unhit.
    const memberCodes: string[] = [];
    for (const user of users.slice(0, 100)) memberCodes.push((await gateway.runtime.codes.create({ ...wecom.credentials, to: { users: [user] }, name: `bench ${user}` })).code);
    const direct = createChannel({ type: 'wecom-app', ...wecom.credentials, baseUrl: wecom.url } as WeComAppConfig, { transport });
    // Distinct content and a rotating recipient per send: WeCom's duplicate check and per-member caps stay out of the way.
    const content = (i: number) => `CPU alert #${i}: load 95% on web-01`;
    const core = await measure('core wecom-app channel, direct', async (i) => {
      await direct.send({ title: 'Alert', content: content(i), format: 'markdown', to: { users: [users[(i + 1000) % users.length]!] } });
    });
    let failures = 0;
    const gw = await measure(`gateway POST /api/notify/{code} (delivery log ${deliveryLog})`, async (i) => {
      const status = await postJson(agent, `${gateway.url}/api/notify/${memberCodes[Math.abs(i) % memberCodes.length]}`, JSON.stringify({ title: 'Alert', content: content(i) }));
      if (status !== 200) failures++;
    });
    const overheadMs = 1000 / gw.rps - 1000 / core.rps;
    console.log(
      `gateway overhead: ${fmt((overheadMs * CONCURRENCY))} ms of latency per request at ${CONCURRENCY} in flight (${fmt(overheadMs * 1000, 0)} µs of serialised time per request); throughput ${fmt((gw.rps / core.rps) * 100, 0)}% of direct; p50 +${fmt(gw.p50 - core.p50, 2)} ms; non-200 answers: ${failures}`,
    );
    await wrongCodeTiming(agent, gateway.url, code);
    const countLine1 = `fake WeCom saw ${wecom.sendCalls} message/send calls and ${wecom.gettokenCalls} gettoken calls (single-flight tokens: expect 2, one per path)`;
    console.log(countLine1);
    await sharedLimitsCost(startGateway, loadConfig, wecom, agent);
  } finally {
    agent.destroy();
    transport.close();
    await gateway.close();
    await wecom.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
