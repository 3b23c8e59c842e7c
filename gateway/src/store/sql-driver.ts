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
