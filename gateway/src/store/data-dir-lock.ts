import { closeSync, openSync, readFileSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { ConfigError } from '../config.js';

interface Owner {
  pid: number;
  host: string;
  heartbeatAt: number;
  /** The owner's start time as the kernel counts it (Linux): tells the owner from a process that reuses its pid. */
  procStart?: string;
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot), or undefined without /proc. */
export function processStart(pid: number | 'self'): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

const OWN_START = processStart('self');

export interface DataDirLockOptions {
  /** How often the owner proves it is alive. Default 5 s. */
  heartbeatMs?: number;
  /** A lock not refreshed for this long belongs to a dead gateway. Default 3 heartbeats. */
  staleMs?: number;
  now?: () => number;
}

const FILE = 'gateway.lock';
/** Lock files this process holds (a second gateway in the same process is refused too). */
const held = new Set<string>();

/**
 * One gateway per data directory. The embedded store relies on being its only writer (the Code
 * cache, the lease release at start, the SQLite lock left by a crash), so a second gateway on the
 * same directory is refused with a readable error. On this host the owner is told by its pid and
 * start time: a dead owner (even by SIGKILL) is taken over at once, and a live one never, even
 * when it is stopped (SIGSTOP) and its heartbeat is old. Only an owner on another host (a shared
 * volume) is judged by its heartbeat alone.
 */
export class DataDirLock {
  private timer?: NodeJS.Timeout;

  private constructor(
    private readonly file: string,
    private readonly now: () => number,
  ) {}

  static acquire(dataDir: string, options: DataDirLockOptions = {}): DataDirLock {
    const now = options.now ?? Date.now;
    const heartbeatMs = options.heartbeatMs ?? 5000;
    const staleMs = options.staleMs ?? 3 * heartbeatMs;
    const lock = new DataDirLock(join(dataDir, FILE), now);
    // Two attempts: the second one after removing a stale lock (or losing a race to create it).
    for (let attempt = 0; attempt < 2; attempt++) {
      if (lock.create()) {
        held.add(lock.file);
        lock.timer = setInterval(() => lock.write(), heartbeatMs);
        lock.timer.unref();
        return lock;
      }
      const owner = lock.read();
      if (owner && lock.isLive(owner, staleMs)) {
        throw new ConfigError(
          `Another gateway (pid ${owner.pid} on ${owner.host}) is using the data directory ${dataDir}. Run one gateway per data directory, or share a Postgres database (WXNOTIFY_DATABASE_URL) between replicas.`,
        );
      }
      try {
        unlinkSync(lock.file);
      } catch {
        // Someone else removed it first; the next create decides.
      }
    }
    throw new ConfigError(`Could not take the lock ${lock.file}; another gateway is starting on the same data directory.`);
  }

  /** Stops the heartbeat and removes the lock if it is still ours. */
  release(): void {
    clearInterval(this.timer);
    held.delete(this.file);
    const owner = this.read();
    if (owner && owner.pid === process.pid && owner.host === hostname()) {
      try {
        unlinkSync(this.file);
      } catch {
        // Already gone.
      }
    }
  }

  private create(): boolean {
    let fd: number;
    try {
      fd = openSync(this.file, 'wx', 0o600);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      throw new ConfigError(
        `The data directory ${dirname(this.file)} is not writable (${code}): the gateway keeps its database and keys there. Give the gateway's user write access, mount it read-write, or point WXNOTIFY_DATA_DIR elsewhere.`,
      );
    }
    try {
      writeSync(fd, this.contents());
    } finally {
      closeSync(fd);
    }
    return true;
  }

  private write(): void {
    try {
      writeFileSync(this.file, this.contents(), { mode: 0o600 });
    } catch {
      // A missed heartbeat only makes the lock look older.
    }
  }

  private contents(): string {
    const owner: Owner = { pid: process.pid, host: hostname(), heartbeatAt: this.now(), ...(OWN_START ? { procStart: OWN_START } : {}) };
    return `${JSON.stringify(owner)}\n`;
  }

  private read(): Owner | undefined {
    try {
      const owner = JSON.parse(readFileSync(this.file, 'utf8')) as Owner;
      return typeof owner.pid === 'number' && typeof owner.heartbeatAt === 'number' ? owner : undefined;
    } catch {
      return undefined;
    }
  }

  /** On this host: the owner process still exists (pid and start time); elsewhere: a fresh heartbeat. */
  private isLive(owner: Owner, staleMs: number): boolean {
    const fresh = this.now() - owner.heartbeatAt < staleMs;
    if (owner.host !== hostname()) return fresh;
    // Our own pid: a gateway in this process, or (after a container restart, where pids repeat) a
    // previous incarnation that no longer exists.
    if (owner.pid === process.pid) return held.has(this.file);
    try {
      process.kill(owner.pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
    }
    // The pid exists. With the owner's start time on record, it decides: the same process is alive
    // however old its heartbeat (stopped, swapped out); another start time is a reused pid.
    const start = owner.procStart ? processStart(owner.pid) : undefined;
    if (owner.procStart && start) return start === owner.procStart;
    return fresh;
  }
}
