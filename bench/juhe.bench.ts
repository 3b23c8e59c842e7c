/**
 * JuHe WeCom hook: batch send of one text to 1,000 conversations against the local fake hook
 * (fake and client share this process, so memory figures include the fake). Prints throughput and
 * memory (rss / heapUsed before and after, and the peak seen while sending).
 */
import { createChannel, type WeComHookChannel } from '../core/dist';
import { NodeHttpTransport } from '../core/dist/transport/node-http-transport';
import { JuheFake } from '../test/fakes/juhe';

const GUID = '5b1eb388-a4df-3da5-a49a-507eea46632c';
const TARGETS = 1000;

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function runCase(fake: JuheFake, channel: WeComHookChannel, concurrency: number, latencyMs: number): Promise<void> {
  fake.sendDelayMs = latencyMs;
  fake.maxInFlight = 0;
  fake.sent.length = 0;
  fake.requests.length = 0;
  const ids = Array.from({ length: TARGETS }, (_, i) => `S:${1688851000000000 + i}`);
  global.gc?.();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 5);
  const start = process.hrtime.bigint();
  const result = await channel.sendBatch(ids, { content: 'Maintenance tonight 22:00-23:00, services may be unavailable.' }, { concurrency });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  clearInterval(sampler);
  const after = process.memoryUsage();
  console.log(
    [
      `concurrency ${String(concurrency).padStart(2)}, upstream latency ${latencyMs} ms:`,
      `${result.messageIds.length}/${TARGETS} sent in ${ms.toFixed(0)} ms`,
      `(${((TARGETS / ms) * 1000).toFixed(0)} msg/s, max in flight ${fake.maxInFlight})`,
      `rss ${mb(before.rss)} -> ${mb(after.rss)} (peak ${mb(peakRss)}),`,
      `heapUsed ${mb(before.heapUsed)} -> ${mb(after.heapUsed)} (peak ${mb(peakHeap)})`,
    ].join(' '),
  );
}

export async function run(): Promise<void> {
  const fake = await JuheFake.start({ echo: 'none' });
  const transport = new NodeHttpTransport({ proxy: false });
  try {
    const channel = createChannel({ type: 'wecom-hook', mode: 'direct', baseUrl: fake.url, guid: GUID }, { transport });
    await channel.sendBatch(['S:1'], { content: 'warm-up' });
    for (const [concurrency, latency] of [
      [1, 0],
      [5, 0],
      [20, 0],
      [5, 10],
      [20, 10],
    ] as const) {
      await runCase(fake, channel, concurrency, latency);
    }
  } finally {
    transport.close();
    await fake.close();
  }
}
