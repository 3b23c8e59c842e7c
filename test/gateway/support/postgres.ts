import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempPostgres {
  url: string;
  stop(): void;
  /** `pg_ctl stop -m fast` (every connection is terminated), then starts the server again on the same port. */
  restart(options?: { downMs?: number }): Promise<void>;
}

function pgBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const version = readdirSync(root).sort().at(-1);
  const bin = version ? join(root, version, 'bin') : undefined;
  return bin && existsSync(join(bin, 'initdb')) ? bin : undefined;
}

/**
 * A throwaway Postgres cluster on a loopback port (Debian's `postgresql` package), or undefined
 * when none is installed. Runs as the `postgres` user when the tests run as root.
 */
export function startTempPostgres(): TempPostgres | undefined {
  if (process.env.WXNOTIFY_TEST_POSTGRES === '0') return undefined;
  const bin = pgBin();
  if (!bin) return undefined;
  const asRoot = process.getuid?.() === 0;
  if (asRoot && spawnSync('id', ['postgres']).status !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'wxnotify-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const port = 20000 + (process.pid % 20000);
  const run = (cmd: string, args: string[]) =>
    asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], { stdio: 'pipe' }) : execFileSync(join(bin, cmd), args, { stdio: 'pipe' });
  run('initdb', ['-D', data, '-U', 'wxnotify', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const start = () => run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
  start();
  return {
    url: `postgres://wxnotify@127.0.0.1:${port}/postgres`,
    restart: async ({ downMs = 0 } = {}) => {
      run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      await new Promise((resolve) => setTimeout(resolve, downMs));
      start();
    },
    stop: () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
