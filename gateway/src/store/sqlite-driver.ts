import { mkdirSync, rmdirSync, statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import sqlite from 'node-sqlite3-wasm';
import { StoreUnavailableError, type Row, type SqlDriver } from './sql-driver.js';

type BindValue = string | number | bigint | null;

/** No transaction here lasts anywhere near this long; a lock this old was left by a crash. */
const STALE_LOCK_MS = 10_000;

/**
 * node-sqlite3-wasm locks a database by creating the directory `<file>.lock` for the length of a
 * transaction. A process killed inside one leaves the directory behind, and every later write
 * would wait out busy_timeout and fail. Such a lock is removed at open; a fresh one (another
 * process mid-transaction) is left alone.
 */
export function clearStaleLock(file: string, now = Date.now()): boolean {
  const lock = `${file}.lock`;
  try {
    if (now - statSync(lock).mtimeMs < STALE_LOCK_MS) return false;
    rmdirSync(lock);
    return true;
  } catch {
    return false;
  }
}

/** SQLite errors that are the machine's state (disk, permissions, a lock), not bad SQL. */
function unavailable(error: unknown): StoreUnavailableError | undefined {
  const message = (error as Error)?.message ?? '';
  if (/disk is full|SQLITE_FULL/i.test(message)) return new StoreUnavailableError('the disk of the data dir is full', error);
  if (/readonly|read-only|SQLITE_READONLY|SQLITE_CANTOPEN|unable to open/i.test(message)) return new StoreUnavailableError('the data dir is not writable', error);
  if (/database is locked|SQLITE_BUSY/i.test(message)) return new StoreUnavailableError('the database file is locked', error);
  if (/disk I\/O error|SQLITE_IOERR/i.test(message)) return new StoreUnavailableError('the data dir cannot be read or written (I/O error)', error);
  return undefined;
}

/** The wasm file system reports a full disk as an I/O error: the free space tells. */
function diskFull(file: string): boolean {
  try {
    const fs = statfsSync(dirname(file));
    return fs.bavail * fs.bsize < 1024 * 1024;
  } catch {
    return false;
  }
}

function bind(params: unknown[]): BindValue[] {
  return params.map((p) => (p === undefined ? null : typeof p === 'boolean' ? Number(p) : (p as BindValue)));
}

/**
 * Embedded SQLite compiled to WebAssembly (node-sqlite3-wasm): no native build, so `npm ci
 * --ignore-scripts` on a fresh machine is enough. Calls are synchronous under the hood.
 */
export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  private readonly db: InstanceType<typeof sqlite.Database>;
  private readonly file: string;

  /**
   * `soleWriter`: the caller holds the data dir (DataDirLock), so any lock directory is a dead
   * process's (a kill -9 mid-transaction) and goes at once instead of after STALE_LOCK_MS.
   */
  constructor(file: string, options: { soleWriter?: boolean } = {}) {
    this.file = file;
    mkdirSync(dirname(file), { recursive: true });
    clearStaleLock(file, options.soleWriter ? Infinity : Date.now());
    this.db = new sqlite.Database(file);
    this.db.exec('PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;');
  }

  async exec(sql: string): Promise<void> {
    this.guarded(() => this.db.exec(sql));
  }

  async all<T extends Row = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.guarded(() => this.db.all(sql, bind(params)) as unknown as T[]);
  }

  async run(sql: string, params: unknown[] = []): Promise<number> {
    return this.guarded(() => this.db.run(sql, bind(params)).changes);
  }

  /** One process owns the file; SQLite's own locking covers the rest. */
  exclusive<T>(fn: (driver: SqlDriver) => Promise<T>): Promise<T> {
    return fn(this);
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }

  private guarded<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      const outage = unavailable(error);
      if (outage && /I\/O error/.test(outage.reason) && diskFull(this.file)) throw new StoreUnavailableError('the disk of the data dir is full', error);
      throw outage ?? error;
    }
  }
}
