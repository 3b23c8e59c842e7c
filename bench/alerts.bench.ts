/**
 * Alert intake figures (`npm run bench alerts`), real gateway over HTTP against the robot fake
 * that answers 45009 past 20 messages a minute, gateway and fake on one virtual clock:
 * - storm: 1,000 alerts in 50 groups posted within 60 s to a robot Code → the most messages in
 *   any 60 s, 45009 answers, how many alerts were in delivered content within 5 min of their
 *   post, and resolved messages per group after all resolve;
 * - intake: requests per second of `POST /api/alerts/{code}` and the p99 accept latency
 *   (wall-clock, one alert per request, 16 in flight).
 * Prints numbers only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mapLimit } from '../core/dist';
import { FakeRobot } from '../test/fakes/wecom';
import { VirtualClock } from '../test/support/virtual-clock';
import { loadGateway, postJson } from './gateway.bench';

const ALERTS = 1000;
const GROUPS = 50;
const POST_WINDOW_S = 60;
const REQUESTS = 2000;
const CONCURRENCY = 16;
const fmt = (n: number, digits = 1): string => n.toLocaleString('en-US', { maximumFractionDigits: digits });

const post = (agent: http.Agent, url: string, body: unknown): Promise<number> => postJson(agent, url, JSON.stringify(body));

const alertOf = (i: number, status: 'firing' | 'resolved' = 'firing') => ({ title: `Storm${i % GROUPS}`, content: `disk ${i}`, severity: 'warning', status, labels: { instance: `node-${i}` } });

function maxIn60s(times: number[]): number {
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= 60_000) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

export async function run(): Promise<void> {
  const { startGateway, loadConfig } = await loadGateway();
  const clock = new VirtualClock(Date.UTC(2026, 7, 1, 2, 0, 0));
  const robot = await FakeRobot.start({ clock });
  const dataDir = mkdtempSync(join(tmpdir(), 'wxnotify-bench-alerts-'));
  const gateway = await startGateway(
    {
      ...loadConfig({ PORT: '0', WXNOTIFY_HOST: '127.0.0.1', WXNOTIFY_DATA_DIR: dataDir, WXNOTIFY_SECRET_KEY: 'c'.repeat(64), WXNOTIFY_ADMIN_PASSWORD: 'bench-password', WXNOTIFY_LOG_LEVEL: 'warn', WXNOTIFY_ALERT_POLL_MS: '3600000' }),
      channels: { ops: { type: 'wecom-bot', key: robot.key, baseUrl: robot.url } },
      codeRatePerMinute: 1_000_000,
    },
    { log: () => undefined, channelDeps: { clock } },
  );
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const engine = gateway.runtime.alerts!.engine;
  try {
    const { code } = await gateway.runtime.codes.create({ channel: 'ops', name: 'storm' });
    const url = `${gateway.url}/api/alerts/${code}`;
    const start = clock.now();
    const postedAt = new Map<number, number>();
    // Storm: every second of the first minute brings ~17 new alerts; the engine flushes once a second.
    for (let s = 0; s < 7 * 60; s++) {
      if (clock.now() < start + s * 1000) clock.advance(start + s * 1000 - clock.now());
      if (s < POST_WINDOW_S) {
        const batch = Array.from({ length: ALERTS }, (_, i) => i).filter((i) => Math.floor((i * POST_WINDOW_S) / ALERTS) === s);
        if ((await post(agent, url, batch.map((i) => alertOf(i)))) !== 200) throw new Error('intake refused the storm');
        for (const i of batch) postedAt.set(i, clock.now());
      }
      await engine.flush();
    }
    const firingMessages = robot.delivered.length;
    let represented = 0;
    for (const [i, at] of postedAt) {
      if (robot.delivered.some((d) => d.at - at <= 5 * 60_000 && new RegExp(`instance=node-${i} `).test(String(d.payload.content)))) represented++;
    }
    // Everything resolves at once; flush until quiet.
    const resolveFrom = robot.delivered.length;
    for (let i = 0; i < ALERTS; i += 100) await post(agent, url, Array.from({ length: 100 }, (_, k) => alertOf(i + k, 'resolved')));
    for (let s = 0; s < 10 * 60; s += 1) {
      clock.advance(1000);
      await engine.flush();
    }
    const resolvedText = robot.delivered.slice(resolveFrom).map((d) => String(d.payload.content));
    const perGroup = Array.from({ length: GROUPS }, (_, g) => resolvedText.filter((t) => t.includes(`【已恢复】Storm${g} `) || t.includes(`【已恢复】Storm${g}**`) || t.endsWith(`【已恢复】Storm${g}`)).length);
    const times = robot.delivered.map((d) => d.at).sort((a, b) => a - b);
    console.log(`storm: ${ALERTS} alerts in ${GROUPS} groups posted within ${POST_WINDOW_S} s to one robot Code (virtual clock, groupWait 10 s)`);
    console.log(`  messages: ${firingMessages} while firing, ${robot.delivered.length - resolveFrom} after all resolved; most in any 60 s: ${maxIn60s(times)} (robot limit 20)`);
    console.log(`  45009 answers: ${robot.rateLimited}`);
    console.log(`  alerts listed in delivered content within 5 min of their post: ${represented} of ${ALERTS}`);
    console.log(`  resolved: groups announced as resolved exactly once: ${perGroup.filter((n) => n === 1).length} of ${GROUPS} (more than once: ${perGroup.filter((n) => n > 1).length}, never: ${perGroup.filter((n) => n === 0).length})`);

    // Intake throughput and accept latency (wall clock), one alert per request.
    const latencies: number[] = [];
    for (let i = 0; i < 50; i++) await post(agent, url, alertOf(10_000 + i));
    const t0 = process.hrtime.bigint();
    let refused = 0;
    await mapLimit(
      Array.from({ length: REQUESTS }, (_, i) => i),
      CONCURRENCY,
      async (i) => {
        const t = process.hrtime.bigint();
        if ((await post(agent, url, alertOf(20_000 + i))) !== 200) refused++;
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      },
    );
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    latencies.sort((a, b) => a - b);
    const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
    console.log(`intake: ${fmt(REQUESTS / seconds, 0)} req/s, accept latency p50 ${fmt(p(0.5), 2)} ms, p99 ${fmt(p(0.99), 2)} ms (${REQUESTS} requests of one alert, ${CONCURRENCY} in flight, SQLite store; non-200: ${refused})`);
  } finally {
    agent.destroy();
    await gateway.close();
    await robot.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
