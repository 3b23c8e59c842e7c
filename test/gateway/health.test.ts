import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

/** A small tmpfs (a real file system with a real limit), when this machine lets the tests mount one. */
function tmpfs(options: string): { dir: string; unmount(): void } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'wxnotify-fs-'));
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]).status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return {
    dir,
    unmount: () => {
      spawnSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const canMount = (() => {
  const probe = tmpfs('size=1m');
  probe?.unmount();
  return probe !== undefined;
})();
const itIfMount = canMount ? it : it.skip;

describe('/health', () => {
  let t: TestGateway | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('a hung gewechat: 503 after the bounded check, and the check is cached (one upstream call for several probes)', async () => {
    t = await startTestGateway({ env: { WXNOTIFY_UPSTREAM_TIMEOUT_MS: '20000', WXNOTIFY_HEALTH_CACHE_MS: '5000' } });
    expect((await t.call('GET', '/health', undefined, { auth: false })).status).toBe(200);
    t.gewe.online = false;
    // The answer is reused for 5 s: a change shows at the next check.
    expect((await t.call('GET', '/health', undefined, { auth: false })).status).toBe(200);
    await t.close();
    t = await startTestGateway({ env: { WXNOTIFY_UPSTREAM_TIMEOUT_MS: '20000', WXNOTIFY_HEALTH_CACHE_MS: '5000' } });
    const before = t.gewe.server.calls('/login/checkOnline').length;
    t.gewe.server.injectFaults({ hang: 100 });
    const probes = await Promise.all([0, 1, 2].map(() => t!.call('GET', '/health', undefined, { auth: false })));
    for (const probe of probes) {
      expect(probe.status).toBe(503);
      expect(probe.json).toEqual({ status: 'error', message: expect.stringMatching(/did not answer in time/) });
    }
    expect((await t.call('GET', '/health', undefined, { auth: false })).status).toBe(503);
    expect(t.gewe.server.calls('/login/checkOnline').length - before).toBe(1);
    t.gewe.server.injectFaults({});
  });

  itIfMount('a full disk under the data dir: /health says so, and an async send is refused with 503 instead of accepted', async () => {
    const fs = tmpfs('size=8m')!;
    try {
      t = await startTestGateway({ dataDir: join(fs.dir, 'data'), env: { WXNOTIFY_MIN_FREE_DISK: '1mb' } });
      expect((await t.call('GET', '/health', undefined, { auth: false })).status).toBe(200);
      // Fill the file system to the last block.
      const fd = openSync(join(fs.dir, 'filler'), 'w');
      const block = Buffer.alloc(64 * 1024, 1);
      try {
        for (;;) writeSync(fd, block);
      } catch {
        // ENOSPC
      } finally {
        closeSync(fd);
      }
      const health = await t.call('GET', '/health', undefined, { auth: false });
      expect(health.status).toBe(503);
      expect(health.json.message).toMatch(/disk almost full: 0 MB free/);
      const big = 'x'.repeat(8000);
      const refused = await t.call('POST', '/api/channels/wechat/send?async=true', { content: big, to: 'wxid_friend_a' });
      expect(refused.status).toBe(503);
      expect(refused.json).toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringMatching(/disk/) });
      await t.stop();
    } finally {
      fs.unmount();
    }
  });

  itIfMount('a read-only data dir: a start-up error that says so (not "another gateway is starting")', async () => {
    const fs = tmpfs('ro,size=1m')!;
    try {
      await expect(startTestGateway({ dataDir: fs.dir })).rejects.toThrow(/data directory .* is not writable \(EROFS\)/);
    } finally {
      fs.unmount();
    }
  });
});
