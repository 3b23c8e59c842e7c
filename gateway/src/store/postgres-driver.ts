import type { Row, SqlDriver } from './sql-driver.js';

/** `?` → `$1, $2, …` (the store's statements contain no literal question marks). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** Postgres by URL (`pg`, pure JS) for several replicas sharing one store. Loaded only when configured. */
export class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres' as const;

  private constructor(private readonly pool: import('pg').Pool) {}

  static async connect(url: string): Promise<PostgresDriver> {
    const pg = (await import('pg')).default;
    const pool = new pg.Pool({ connectionString: url, max: 5 });
    await pool.query('SELECT 1');
    return new PostgresDriver(pool);
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async all<T extends Row = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query(numbered(sql), params)).rows as T[];
  }

  async run(sql: string, params: unknown[] = []): Promise<number> {
    return (await this.pool.query(numbered(sql), params)).rowCount ?? 0;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
