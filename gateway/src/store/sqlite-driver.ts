import { mkdirSync, rmdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import sqlite from 'node-sqlite3-wasm';
import type { Row, SqlDriver } from './sql-driver.js';

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

  constructor(file: string) {
    mkdirSync(dirname(file), { recursive: true });
    clearStaleLock(file);
    this.db = new sqlite.Database(file);
    this.db.exec('PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;');
  }

  async exec(sql: string): Promise<void> {
    this.db.exec(sql);
  }

  async all<T extends Row = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.db.all(sql, bind(params)) as unknown as T[];
  }

  async run(sql: string, params: unknown[] = []): Promise<number> {
    return this.db.run(sql, bind(params)).changes;
  }

  /** One process owns the file; SQLite's own locking covers the rest. */
  exclusive<T>(fn: (driver: SqlDriver) => Promise<T>): Promise<T> {
    return fn(this);
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}
