/**
 * Runs the fake WeCom in its own process for bench/wecom.bench.ts, so client figures are not
 * mixed with the server's CPU. Prints one JSON line ({ url, corpId, corpSecret, agentId }) and
 * exits when stdin closes.
 */
import { startFakeWeCom } from '../test/fakes/wecom';

// The per-member quota is off: the throughput runs send thousands of messages to one member.
void startFakeWeCom({ memberQuota: false }).then((wecom) => {
  process.stdout.write(`${JSON.stringify({ url: wecom.url, ...wecom.credentials })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    void wecom.close().then(() => process.exit(0));
  });
});
