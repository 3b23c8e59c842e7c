/**
 * What the delivery log costs a synchronous send: the CPU time per send with and without
 * `DeliveryLog.record` around it (the row, the title, the batched SQLite write and the pruning),
 * on the gateway's embedded store. CPU time (user + system of this process), not wall time, so
 * the figure holds on a busy machine; compare it with the gateway's own cost per request that
 * `npm run bench gateway` prints. Prints numbers only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock, type SendResult } from '../core/dist';
import { AlertStore } from '../gateway/src/alerts/alert-store';
import type { GatewayLogger } from '../gateway/src/observability/logger';
import { DeliveryLog } from '../gateway/src/store/delivery-log';
import { SqliteDriver } from '../gateway/src/store/sqlite-driver';
import { GatewayStore } from '../gateway/src/store/store';

const SENDS = 20_000;
const ROUNDS = 3;
const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as GatewayLogger;
const result: SendResult = { ok: true, channel: 'wecom-app', messageIds: ['msg-1'], parts: 1, batches: 1, retries: 0, partialFailures: [] } as unknown as SendResult;
const notification = { title: '服务器告警', content: 'CPU使用率超过90%,请及时处理!\n\n**详细信息**:\n- 服务器:web-server-01', format: 'markdown' as const };
const meta = { target: 'code:7f3c', codeId: '7f3c', receiver: 'ops alerts', channel: 'wecom-app', recipients: { users: ['zhangsan'] }, reason: 'POST /api/notify/{code}' };

function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** CPU µs per send for `SENDS` sends, 16 in flight like the gateway bench. */
async function cpuPerSend(send: () => Promise<unknown>, settle: () => Promise<void>): Promise<number> {
  const start = cpuMicros();
  for (let i = 0; i < SENDS; i += 16) {
    await Promise.all(Array.from({ length: 16 }, send));
    // Back to the event loop, as a server is between requests (the log's write timer runs there).
    await new Promise((resolve) => setImmediate(resolve));
  }
  await settle();
  return (cpuMicros() - start) / SENDS;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wxnotify-bench-log-'));
  try {
    const store = new GatewayStore(new SqliteDriver(join(dir, 'wxnotify.db'), { soleWriter: true }));
    await store.migrate();
    const log = new DeliveryLog(new AlertStore(store.driver), systemClock, quiet, { maxRows: 10_000, maxAgeMs: 30 * 24 * 3600_000 });
    const bare = () => Promise.resolve(result);
    const logged = () => log.record(meta, notification, bare);
    const without: number[] = [];
    const withLog: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      without.push(await cpuPerSend(bare, () => Promise.resolve()));
      withLog.push(await cpuPerSend(logged, () => log.flush()));
    }
    const best = (xs: number[]) => Math.min(...xs);
    const [rows] = await store.driver.all('SELECT COUNT(*) AS n FROM alert_deliveries');
    console.log(`delivery log: ${best(withLog).toFixed(1)} µs CPU per logged send vs ${best(without).toFixed(1)} µs bare (best of ${ROUNDS} rounds of ${SENDS.toLocaleString('en-US')}; row, masked title, batched SQLite write, pruning)`);
    console.log(`delivery log: added cost ${(best(withLog) - best(without)).toFixed(1)} µs CPU per send; rows kept after ${(ROUNDS * SENDS).toLocaleString('en-US')} sends: ${Number(rows?.n ?? 0).toLocaleString('en-US')} (WXNOTIFY_DELIVERY_LOG_MAX_ROWS 10,000)`);
    await store.driver.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
