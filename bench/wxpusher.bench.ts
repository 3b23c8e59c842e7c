/**
 * WxPusher and gateway client figures against the local fakes (loopback HTTP, keep-alive).
 * Prints numbers only; nothing here asserts on time.
 */
import { createChannel, mapLimit, type GatewayConfig, type WxPusherConfig } from '../core/dist';
import { NodeHttpTransport } from '../core/dist/transport/node-http-transport';
import { FakeGateway, DEFAULT_GATEWAY_CODE } from '../test/fakes/gateway';
import { DEFAULT_APP_TOKEN, FakeWxPusher } from '../test/fakes/wxpusher';
import { VirtualClock } from '../test/support/virtual-clock';

const ms = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;
const fmt = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 1 });

export async function run(): Promise<void> {
  const transport = new NodeHttpTransport();
  try {
    await fanOut(transport);
    await throughput(transport);
    await paced(transport);
    await longContent(transport);
    await gateway(transport);
  } finally {
    transport.close();
  }
}

async function fanOut(transport: NodeHttpTransport): Promise<void> {
  const fake = await FakeWxPusher.start();
  const wx = createChannel({ type: 'wxpusher', appToken: DEFAULT_APP_TOKEN, baseUrl: fake.url } as WxPusherConfig, { transport });
  const uids = Array.from({ length: 10_000 }, (_, i) => `UID_${String(i).padStart(6, '0')}`);
  const start = process.hrtime.bigint();
  const result = await wx.send({ content: 'release 1.4.2 is live', to: { uids } });
  const took = ms(start);
  const bytes = fake.requests.reduce((n, r) => n + r.body.length, 0);
  console.log(`one send to 10,000 uids: ${result.requests} WxPusher calls (expect 5), ${fmt(bytes / 1024)} KiB sent, ${fmt(took)} ms, ${(result.details as { records: unknown[] }).records.length} per-target records`);
  await fake.close();
}

async function throughput(transport: NodeHttpTransport): Promise<void> {
  const fake = await FakeWxPusher.start({ rateLimit: { limit: 1_000_000, windowMs: 10_000 } });
  // WxPusher raises the limit on request; here pacing is lifted to measure the client itself.
  const wx = createChannel({ type: 'wxpusher', appToken: DEFAULT_APP_TOKEN, baseUrl: fake.url, rateLimit: { limit: 1_000_000, windowMs: 10_000 } } as WxPusherConfig, { transport });
  for (const inFlight of [1, 8]) {
    const n = 400;
    const start = process.hrtime.bigint();
    await mapLimit(Array.from({ length: n }, (_, i) => i), inFlight, (i) => wx.send({ content: `event ${i}`, summary: 'event', to: { uids: ['UID_alice'] } }));
    const took = ms(start);
    console.log(`throughput, pacing lifted, ${inFlight} in flight: ${n} sends in ${fmt(took)} ms = ${fmt((n / took) * 1000)} sends/s (${fmt(took / n)} ms/send)`);
  }
  await fake.close();
}

async function paced(transport: NodeHttpTransport): Promise<void> {
  const clock = new VirtualClock();
  const fake = await FakeWxPusher.start({ clock });
  const wx = createChannel({ type: 'wxpusher', appToken: DEFAULT_APP_TOKEN, baseUrl: fake.url } as WxPusherConfig, { transport, clock });
  const start = process.hrtime.bigint();
  let failures = 0;
  for (let i = 0; i < 60; i++) {
    const result = await wx.send({ content: `n${i}`, to: { uids: ['UID_alice'] } });
    if (!result.ok || result.retries > 0) failures++;
  }
  console.log(`default pace (20 calls / 10 s), 60 sends: ${failures} failures or upstream blocks, ${fmt(clock.slept / 1000)} s of (virtual) waiting, ${fmt(ms(start))} ms real`);
  await fake.close();
}

async function longContent(transport: NodeHttpTransport): Promise<void> {
  // Its own appToken: the process-wide limiter still holds the throughput run's calls for the default one.
  const appToken = 'AT_bench_long_content';
  const fake = await FakeWxPusher.start({ appTokens: [appToken] });
  const wx = createChannel({ type: 'wxpusher', appToken, baseUrl: fake.url } as WxPusherConfig, { transport });
  const content = Array.from({ length: 5_000 }, (_, i) => `第 ${i} 行：磁盘使用率 93% 🔥`).join('\n');
  const start = process.hrtime.bigint();
  const result = await wx.send({ content, format: 'markdown', to: { uids: ['UID_alice'] } });
  console.log(`${fmt(Array.from(content).length)}-character markdown: ${result.parts} parts, ${result.requests} calls, ${fmt(ms(start))} ms (split + send)`);
  await fake.close();
}

async function gateway(transport: NodeHttpTransport): Promise<void> {
  const fake = await FakeGateway.start();
  const gw = createChannel({ type: 'gateway', baseUrl: fake.url, code: DEFAULT_GATEWAY_CODE } as GatewayConfig, { transport });
  const n = 400;
  const start = process.hrtime.bigint();
  await mapLimit(Array.from({ length: n }, (_, i) => i), 8, (i) => gw.send({ title: 'alert', content: `event ${i}` }));
  const took = ms(start);
  console.log(`gateway /api/notify/{code}, 8 in flight: ${n} sends in ${fmt(took)} ms = ${fmt((n / took) * 1000)} sends/s`);
  await fake.close();
}
