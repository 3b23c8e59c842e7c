import type { LoggerService } from '@nestjs/common';
import type { ChannelConfig } from '@wxnotify/core';
import { NotifyService } from '@wxnotify/nestjs';
import { postJson, startFixtureApp, type RunningApp } from './fixtures/add-user.app';
import { weComAppTarget } from './support/targets';
import { waitFor } from './support/wait';

/** Collects the app's WARN lines. */
class WarnLines implements LoggerService {
  readonly lines: string[] = [];
  log(): void {}
  error(): void {}
  warn(message: unknown): void {
    this.lines.push(String(message));
  }
}

/** Real timers on purpose: the point is that nothing is left running once close() has returned. */
const RETRY = { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 40 };

describe('shutdown with a hung upstream really stops sending (real Nest app over HTTP, WeCom fake)', () => {
  let target: Awaited<ReturnType<typeof weComAppTarget>>;
  let running: RunningApp;
  let service: NotifyService;
  const logs = new WarnLines();

  beforeEach(async () => {
    target = await weComAppTarget();
    logs.lines.length = 0;
    // A short upstream timeout: without cancellation each abandoned send times out and retries after close() (4 attempts: about 2 s a send).
    const config = { ...target.config, timeoutMs: 500 } as ChannelConfig;
    running = await startFixtureApp({ notify: { channels: { ops: config }, shutdownTimeoutMs: 300, maxConcurrentSends: 8, deps: { retry: RETRY } }, logger: logs });
    service = running.app.get(NotifyService);
  });

  afterEach(async () => {
    await running.close().catch(() => undefined);
    await target.close();
  });

  it('0 calls reach the upstream after close() returns; waiting sends count as dropped, aborted ones on the wire as unconfirmed', async () => {
    await postJson(`${running.url}/add_user`, { username: 'warm' });
    await waitFor(() => target.delivered().length === 1, 'the first notification');
    const beforeHang = target.upstreamRequests();
    target.hang(10_000);
    for (let i = 0; i < 20; i++) await postJson(`${running.url}/add_user`, { username: `user${i}` });
    await waitFor(() => target.upstreamRequests() >= beforeHang + 8, 'eight sends hanging at the upstream');

    await running.close();
    // The fake runs in this process: let it read bytes written before the abort (those requests
    // count as unconfirmed), then nothing new may arrive.
    await new Promise((r) => setTimeout(r, 50));
    const atClose = target.upstreamRequests();
    // Long enough for several 500 ms timeouts and their retries, had anything been left running.
    await new Promise((r) => setTimeout(r, 1200));
    expect(target.upstreamRequests() - atClose).toBe(0);

    expect(service.stats()).toMatchObject({ sent: 1, pending: 0, dropped: 12, unconfirmed: 8 });
    expect(target.delivered()).toHaveLength(1);
    expect(logs.lines.join('\n')).toMatch(/12 .*dropped.*never sent/);
    expect(logs.lines.join('\n')).toMatch(/8 .*on the wire.*unknown/);
  });

  it('a token fetch hanging at shutdown is aborted too, and its sends count as dropped: no message had left', async () => {
    target.hang(10_000);
    for (let i = 0; i < 3; i++) service.dispatch(`cold ${i}`);
    await waitFor(() => target.upstreamRequests() >= 1, 'the hanging gettoken');
    await running.close();
    await new Promise((r) => setTimeout(r, 50));
    const atClose = target.upstreamRequests();
    await new Promise((r) => setTimeout(r, 1200));
    expect(target.upstreamRequests() - atClose).toBe(0);
    expect(service.stats()).toMatchObject({ sent: 0, failed: 0, pending: 0, dropped: 3, unconfirmed: 0 });
  });

  it('drops are logged as one line and one summary per interval, not one line each', async () => {
    await running.close();
    running = await startFixtureApp({ notify: { channels: { ops: target.config }, maxPendingSends: 2, maxConcurrentSends: 1, shutdownTimeoutMs: 100 }, logger: logs });
    service = running.app.get(NotifyService);
    target.hang(10_000);
    for (let i = 0; i < 500; i++) service.dispatch(`burst ${i}`);
    expect(service.stats()).toMatchObject({ dropped: 498, pending: 2 });
    const dropLines = () => logs.lines.filter((l) => l.includes('sends already pending'));
    expect(dropLines()).toHaveLength(1);
    await running.close();
    // The summary is flushed at shutdown: one more line with the count of the rest.
    expect(dropLines()).toHaveLength(2);
    expect(dropLines()[1]).toMatch(/^497 more like this in the last 10 s \(dropped: backlog full\)/);
  });
});
