import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** True when Debian's redis-server is on the PATH (CI installs it; see the lead's CI script). */
export const redisInstalled = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).status === 0;

/**
 * `describe` for suites that need Redis: they run whenever redis-server is installed and are
 * skipped with a loud message only when it is not.
 */
export function describeWithRedis(name: string, fn: () => void): void {
  if (redisInstalled) {
    describe(name, fn);
    return;
  }
  // eslint-disable-next-line no-console
  console.warn(`\n!!! SKIPPED "${name}": redis-server is not installed (apt-get install -y redis-server) !!!\n`);
  describe.skip(name, fn);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, up: boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open === up) return;
    if (Date.now() > deadline) throw new Error(`redis on port ${port} did not ${up ? 'start' : 'stop'} in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * A private redis-server on a free loopback port, with its pid file, data and AOF in a temp dir.
 * `restart()` stops it (keeping the AOF, so queued jobs survive) and starts it on the same port.
 */
export class TestRedis {
  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  get connection(): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.port };
  }

  get pidFile(): string {
    return path.join(this.dir, 'redis.pid');
  }

  static async start(): Promise<TestRedis> {
    const dir = mkdtempSync(path.join(tmpdir(), 'wxnotify-redis-'));
    const redis = new TestRedis(await freePort(), dir);
    writeFileSync(
      path.join(dir, 'redis.conf'),
      [
        `port ${redis.port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `pidfile ${redis.pidFile}`,
        'daemonize yes',
        'save ""',
        'appendonly yes',
        'appendfsync always',
        'maxmemory-policy noeviction',
        `logfile ${path.join(dir, 'redis.log')}`,
      ].join('\n'),
    );
    await redis.up();
    return redis;
  }

  async up(): Promise<void> {
    const run = spawnSync('redis-server', [path.join(this.dir, 'redis.conf')], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`redis-server failed: ${run.stderr || run.stdout}`);
    await waitForPort(this.port, true);
  }

  /** Stops the server process (SIGTERM: it flushes the AOF) and waits until the port is closed. */
  async down(): Promise<void> {
    let pid: number;
    try {
      pid = Number(readFileSync(this.pidFile, 'utf8').trim());
    } catch {
      return;
    }
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
    await waitForPort(this.port, false);
    for (let i = 0; i < 200; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async restart(): Promise<void> {
    await this.down();
    await this.up();
  }

  async stop(): Promise<void> {
    await this.down();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Runs `redis-cli` against the test server (for assertions that need raw keys). */
export function redisCli(redis: TestRedis, ...args: string[]): string {
  return spawnSync('redis-cli', ['-p', String(redis.port), ...args], { encoding: 'utf8' }).stdout.trim();
}

