import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { processStart } from '../../gateway/src/store/data-dir-lock.js';
import { GewechatFake } from '../fakes/gewechat/index.js';
import { FakeWeCom } from '../fakes/wecom/index.js';
import { startTestGateway, type TestGateway } from './support/test-gateway.js';

/** The repository root (jest runs from it): node-sqlite3-wasm resolves from its node_modules. */
const ROOT = process.cwd();

/**
 * What a gateway killed by SIGKILL in the middle of a write leaves behind: its gateway.lock (its
 * pid and start time) and the SQLite lock directory of an open transaction. The child does both,
 * then waits to be killed.
 */
function writerMidTransaction(dataDir: string): Promise<ChildProcess> {
  const script = `
    import sqlite from 'node-sqlite3-wasm';
    import { readFileSync, writeFileSync } from 'node:fs';
    import { hostname } from 'node:os';
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const procStart = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    writeFileSync(process.argv[1] + '/gateway.lock', JSON.stringify({ pid: process.pid, host: hostname(), heartbeatAt: Date.now(), procStart }));
    const db = new sqlite.Database(process.argv[1] + '/wxnotify.db');
    db.exec("BEGIN IMMEDIATE; UPDATE settings SET value = value WHERE name = 'x'; INSERT INTO settings (name, value) VALUES ('crash', 'mid-write')");
    process.stdout.write('in transaction\\n');
    setInterval(() => {}, 60_000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`writer exited with ${code}`)));
  });
}

const exited = (child: ChildProcess) => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('exit', resolve)));

describe('restart right after kill -9 (embedded store)', () => {
  let gewe: GewechatFake;
  let wecom: FakeWeCom;
  let dataDir: string;
  let t: TestGateway | undefined;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    [gewe, wecom] = await Promise.all([GewechatFake.start(), FakeWeCom.start()]);
    dataDir = mkdtempSync(join(tmpdir(), 'wxnotify-crash-'));
  });
  afterAll(async () => {
    await t?.stop();
    for (const child of children) child.kill('SIGKILL');
    await Promise.all([gewe.close(), wecom.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a writer killed mid-transaction leaves gateway.lock and wxnotify.db.lock: the next start takes both over at once (dead pid)', async () => {
    t = await startTestGateway({ fakes: { gewe, wecom }, dataDir });
    const { code } = await t.createCode();
    await t.stop();
    t = undefined;

    const writer = await writerMidTransaction(dataDir);
    expect(existsSync(join(dataDir, 'wxnotify.db.lock'))).toBe(true);
    writer.kill('SIGKILL');
    await exited(writer);

    // The locks are seconds old, not stale by age: only the owner's death tells.
    t = await startTestGateway({ fakes: { gewe, wecom }, dataDir });
    expect(existsSync(join(dataDir, 'wxnotify.db.lock'))).toBe(false);
    expect((await t.call('POST', `/api/notify/${code}`, { content: 'after kill -9' }, { auth: false })).status).toBe(200);
    // The killed transaction was rolled back.
    expect(await t.gw.runtime.store.getSetting('crash')).toBeUndefined();
    await t.stop();
    t = undefined;
  });

  it('a live owner is never taken over, even stopped (SIGSTOP) with a heartbeat long past; a reused pid is', async () => {
    const lockFile = join(dataDir, 'gateway.lock');
    const owner = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)'], { stdio: 'ignore' });
    children.push(owner);
    await new Promise((r) => setTimeout(r, 50));
    owner.kill('SIGSTOP');
    const procStart = processStart(owner.pid!);
    expect(procStart).toBeDefined();
    writeFileSync(lockFile, JSON.stringify({ pid: owner.pid, host: hostname(), heartbeatAt: Date.now() - 10 * 60_000, procStart }));
    await expect(startTestGateway({ fakes: { gewe, wecom }, dataDir })).rejects.toThrow(new RegExp(`Another gateway \\(pid ${owner.pid} on`));

    // Same pid, another start time: the pid was reused by an unrelated process after the owner died.
    writeFileSync(lockFile, JSON.stringify({ pid: owner.pid, host: hostname(), heartbeatAt: Date.now() - 10 * 60_000, procStart: String(Number(procStart) - 1) }));
    t = await startTestGateway({ fakes: { gewe, wecom }, dataDir });
    owner.kill('SIGKILL');
  });
});
