export type Row = Record<string, unknown>;

/** The few SQL calls the store needs. Statements use `?` placeholders; drivers translate. */
export interface SqlDriver {
  readonly dialect: 'sqlite' | 'postgres';
  exec(sql: string): Promise<void>;
  all<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Returns the number of changed rows. */
  run(sql: string, params?: unknown[]): Promise<number>;
  close(): Promise<void>;
  /** Runs `fn` on one connection holding a cross-process lock (schema migrations on start). */
  exclusive<T>(fn: (driver: SqlDriver) => Promise<T>): Promise<T>;
}

/**
 * The store cannot serve right now (Postgres restarting or unreachable, a full disk, a read-only
 * data dir): an outage, answered 503, not a bug. `reason` is safe to show (no URL, no password).
 */
export class StoreUnavailableError extends Error {
  constructor(
    readonly reason: string,
    cause?: unknown,
  ) {
    super(`The store is unavailable: ${reason}`, { cause });
  }
}

export function isStoreUnavailable(error: unknown): error is StoreUnavailableError {
  return error instanceof StoreUnavailableError;
}
