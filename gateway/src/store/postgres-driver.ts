import { StoreUnavailableError, type Row, type SqlDriver } from './sql-driver.js';

/** `?` → `$1, $2, …` (the store's statements contain no literal question marks). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

const MIGRATION_LOCK = 724310;
/** A request, a probe or a poll waits at most this long for a connection (the database may be down). */
const CONNECT_TIMEOUT_MS = 2000;

type Queryable = Pick<import('pg').PoolClient, 'query'>;

/** SQLSTATE classes and socket errors that mean "the database is not reachable now", not "bad SQL". */
function unavailable(error: unknown): StoreUnavailableError | undefined {
  const e = error as { code?: string; message?: string } | undefined;
  const code = e?.code ?? '';
  const message = e?.message ?? '';
  if (/^(08|57P|53)/.test(code)) return new StoreUnavailableError(`Postgres refused the connection (${code})`, error);
  if (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN)$/.test(code)) return new StoreUnavailableError(`Postgres is unreachable (${code})`, error);
  if (/Connection terminated|timeout exceeded when trying to connect|not queryable|Connection ended/i.test(message)) return new StoreUnavailableError('the connection to Postgres was lost', error);
  return undefined;
}

export interface PostgresDriverOptions {
  /** Errors of idle pooled connections (the server restarted, an admin terminated them). */
  onIdleError?: (error: Error) => void;
}

/**
 * Postgres by URL (`pg`, pure JS) for several replicas sharing one store. Loaded only when configured.
 * The database going away is an outage, not a crash: idle-connection errors are handled, calls fail
 * with StoreUnavailableError (503) within CONNECT_TIMEOUT_MS, and the pool reconnects on the next call.
 */
export class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres' as const;

  private constructor(
    private readonly pool: import('pg').Pool,
    private readonly client: Queryable = pool,
  ) {}

  static async connect(url: string, options: PostgresDriverOptions = {}): Promise<PostgresDriver> {
    const pg = (await import('pg')).default;
    const pool = new pg.Pool({ connectionString: url, max: 5, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    // Without a listener, an idle client's error (pg_ctl restart, pg_terminate_backend) kills the process.
    pool.on('error', (error) => options.onIdleError?.(error));
    const driver = new PostgresDriver(pool);
    await driver.exec('SELECT 1');
    return driver;
  }

  async exec(sql: string): Promise<void> {
    await this.query(sql);
  }

  async all<T extends Row = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.query(numbered(sql), params)).rows as T[];
  }

  async run(sql: string, params: unknown[] = []): Promise<number> {
    return (await this.query(numbered(sql), params)).rowCount ?? 0;
  }

  /** An advisory lock is held by one session: lock, work and unlock on the same pooled client. */
  async exclusive<T>(fn: (driver: SqlDriver) => Promise<T>): Promise<T> {
    const client = await this.pool.connect().catch((error: unknown) => {
      throw unavailable(error) ?? error;
    });
    let broken: unknown;
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      try {
        return await fn(new PostgresDriver(this.pool, client));
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      }
    } catch (error) {
      broken = unavailable(error) ? error : undefined;
      throw unavailable(error) ?? error;
    } finally {
      // A client whose connection broke is destroyed instead of going back to the pool.
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  /** Runs `fn` in one transaction on one pooled client (committed when it resolves). */
  async transaction<T>(fn: (driver: PostgresDriver) => Promise<T>): Promise<T> {
    const client = await this.pool.connect().catch((error: unknown) => {
      throw unavailable(error) ?? error;
    });
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      try {
        const result = await fn(new PostgresDriver(this.pool, client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } catch (error) {
      if (unavailable(error)) broken = error as Error;
      throw unavailable(error) ?? error;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async query(sql: string, params?: unknown[]): Promise<import('pg').QueryResult> {
    try {
      return await this.client.query(sql, params);
    } catch (error) {
      throw unavailable(error) ?? error;
    }
  }
}
