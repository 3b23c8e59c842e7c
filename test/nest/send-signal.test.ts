import { isAbortError, type NotifyError } from '@wxnotify/core';
import { NotifyService } from '@wxnotify/nestjs';
import { startFakeRobot, type FakeRobot } from '../fakes/wecom';
import { startFixtureApp, type RunningApp } from './fixtures/add-user.app';
import { waitFor } from './support/wait';

/** A caller's AbortSignal through NotifyService.send into the core (the gateway's outbox passes its lease's). */
describe('NotifyService.send(channel, message, { signal }) (real Nest app, robot fake)', () => {
  let robot: FakeRobot;
  let running: RunningApp;
  let notify: NotifyService;
  const delivered = () => robot.delivered.map((d) => String(d.payload.content));

  beforeEach(async () => {
    robot = await startFakeRobot();
    // An upstream timeout far beyond the test: only the signal can end a hung request in time.
    running = await startFixtureApp({ notify: { channels: { team: { type: 'wecom-bot', key: robot.key, baseUrl: robot.url, timeoutMs: 60_000 } } } });
    notify = running.app.get(NotifyService);
  });
  afterEach(async () => {
    await running.close().catch(() => undefined);
    await robot.close();
  });

  /** Starts a send that hangs at the upstream; resolves once its request is there (with the send's outcome to come). */
  async function hungSend(content: string, signal?: AbortSignal): Promise<{ settled: Promise<unknown> }> {
    robot.server.injectFaults({ hang: 1 });
    const before = robot.server.requests.length;
    const settled = notify.send('team', content, signal ? { signal } : undefined).then(
      (result) => result,
      (error: unknown) => error,
    );
    await waitFor(() => robot.server.requests.length > before, 'the hung request');
    return { settled };
  }

  it('aborting the signal ends a send hung on the wire: ABORTED with deliveryUnknown, the request closed unanswered, nothing delivered; other sends go on', async () => {
    const controller = new AbortController();
    const { settled } = await hungSend('hung', controller.signal);
    controller.abort();
    const error = (await settled) as NotifyError;
    expect(isAbortError(error)).toBe(true);
    expect(error.deliveryUnknown).toBe(true);
    await waitFor(() => robot.server.abandoned.length === 1, 'the request closed by the client');
    expect(delivered()).toEqual([]);
    // Only that send stopped: the app's own shutdown signal is untouched.
    await expect(notify.send('team', 'after')).resolves.toMatchObject({ ok: true });
    await expect(notify.send(undefined, 'default channel', { signal: new AbortController().signal })).resolves.toMatchObject({ ok: true });
    expect(delivered()).toEqual(['after', 'default channel']);
  });

  it('an already aborted signal sends nothing', async () => {
    const error = await notify.send('team', 'never', { signal: AbortSignal.abort() }).catch((e: unknown) => e as NotifyError);
    expect(isAbortError(error)).toBe(true);
    expect((error as NotifyError).deliveryUnknown).toBe(false);
    expect(robot.server.requests).toHaveLength(0);
  });

  it('a send with a caller signal is still aborted by the application shutting down', async () => {
    const { settled } = await hungSend('at shutdown', new AbortController().signal);
    await running.close();
    expect(isAbortError(await settled)).toBe(true);
    await waitFor(() => robot.server.abandoned.length === 1, 'the request closed by the client');
    expect(delivered()).toEqual([]);
  });
});
