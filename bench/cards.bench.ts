/**
 * Interactive cards on loopback: time from a member's click (the fake WeCom posting an encrypted
 * template_card_event) to the card update WeCom accepted (message/update_template_card answered),
 * through a minimal callback host: verify + decrypt (WeComCallback), TemplateCardInbox, then
 * updateTemplateCard. The host answers the callback after the update, so one click's round trip
 * is exactly click → update. Sequential clicks by different members on one card.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buttonCard, createChannel, MemoryTokenStore, TemplateCardInbox, WeComCallback, type WeComAppChannel } from '../core/dist';
import { startFakeWeCom } from '../test/fakes/wecom';

const CLICKS = Number(process.env.CARDS_BENCH_CLICKS ?? 300);
const CALLBACK = { token: 'benchtoken', encodingAESKey: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR' };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function run(): Promise<void> {
  const wecom = await startFakeWeCom();
  const channel = createChannel({ type: 'wecom-app', ...wecom.credentials, baseUrl: wecom.url }, { tokenStore: new MemoryTokenStore() }) as WeComAppChannel;
  const crypto = new WeComCallback({ ...CALLBACK, receiveId: wecom.corpId });
  const inbox = new TemplateCardInbox();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const query = Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams);
      const receipt = inbox.accept(crypto.decryptMessage(query, Buffer.concat(chunks).toString('utf8')));
      if (!receipt || receipt.duplicate) return void res.writeHead(200).end('');
      const { event } = receipt;
      channel
        .updateTemplateCard({ responseCode: event.responseCode, issuedAt: event.createTime * 1000, replaceButton: `已由 ${event.userId} 确认` })
        .then(
          () => res.writeHead(200).end(''),
          () => res.writeHead(500).end(''),
        );
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  wecom.cards.callback = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cb`, ...CALLBACK };
  try {
    const sent = await channel.sendCard(buttonCard({ title: '磁盘告警', buttons: [{ text: '确认', key: 'ack' }] }), { all: true });
    // Warm-up (JIT, keep-alive sockets, token).
    for (let i = 0; i < 20; i++) await wecom.cards.click({ userId: `warm${i}`, taskId: sent.taskId, eventKey: 'ack' });
    const times: number[] = [];
    for (let i = 0; i < CLICKS; i++) {
      const started = process.hrtime.bigint();
      const click = await wecom.cards.click({ userId: `member${i}`, taskId: sent.taskId, eventKey: 'ack' });
      if (click.status !== 200) throw new Error(`click ${i} answered ${click.status}`);
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    const updates = wecom.cards.updates.length;
    times.sort((a, b) => a - b);
    console.log(`click → card update (loopback, ${CLICKS} sequential clicks, ${updates} updates accepted by the fake):`);
    console.log(`  median ${percentile(times, 50).toFixed(2)} ms, p95 ${percentile(times, 95).toFixed(2)} ms, max ${times[times.length - 1].toFixed(2)} ms`);
    console.log('  (encrypt + sign in the fake, HTTP to the host, verify + decrypt, update_template_card over HTTP; shared machine, measured under load)');
  } finally {
    server.close();
    await wecom.close();
  }
}
