import type { Row, SqlDriver } from './sql-driver.js';

/** `?` → `$1, $2, …` (the store's statements contain no literal question marks). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

const MIGRATION_LOCK = 724310;

type Queryable = Pick<import('pg').PoolClient, 'query'>;

/** Postgres by URL (`pg`, pure JS) for several replicas sharing one store. Loaded only when configured. */
export class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres' as const;

  private constructor(
    private readonly pool: import('pg').Pool,
    private readonly client: Queryable = pool,
  ) {}

  static async connect(url: string): Promise<PostgresDriver> {
    const pg = (await import('pg')).default;
    const pool = new pg.Pool({ connectionString: url, max: 5 });
    await pool.query('SELECT 1');
    return new PostgresDriver(pool);
  }

  async exec(sql: string): Promise<void> {
    await this.client.query(sql);
  }

  async all<T extends Row = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.client.query(numbered(sql), params)).rows as T[];
  }

  async run(sql: string, params: unknown[] = []): Promise<number> {
    return (await this.client.query(numbered(sql), params)).rowCount ?? 0;
  }

  /** An advisory lock is held by one session: lock, work and unlock on the same pooled client. */
  async exclusive<T>(fn: (driver: SqlDriver) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      try {
        return await fn(new PostgresDriver(this.pool, client));
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      }
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
