/** A statement both SQLite and Postgres accept, or one text per dialect. */
export type MigrationSql = string | { sqlite: string; postgres: string };

/**
 * Schema steps by version. SQL that both SQLite and Postgres accept; times are ISO-8601 text.
 * Every version missing from `schema_migrations` is applied, lowest first, whatever the order here.
 */
export const migrations: ReadonlyArray<{ version: number; sql: MigrationSql[] }> = [
  {
    version: 1,
    sql: [
      `CREATE TABLE codes (
        id TEXT PRIMARY KEY,
        code_hash TEXT NOT NULL UNIQUE,
        hint TEXT NOT NULL,
        name TEXT NOT NULL,
        channel_type TEXT NOT NULL,
        config TEXT NOT NULL,
        secret_sealed TEXT NOT NULL,
        recipients TEXT NOT NULL,
        rate_limit_per_minute INTEGER,
        created_at TEXT NOT NULL,
        rotated_at TEXT,
        revoked_at TEXT,
        last_used_at TEXT,
        send_count INTEGER NOT NULL DEFAULT 0
      )`,
      `CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        key_hash TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT
      )`,
      `CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)`,
      `CREATE TABLE outbox (
        id TEXT PRIMARY KEY,
        channel TEXT NOT NULL,
        payload TEXT NOT NULL,
        status TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        result TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        next_attempt_at TEXT NOT NULL
      )`,
      `CREATE INDEX outbox_pending ON outbox (status, next_attempt_at)`,
    ],
  },
  {
    // API key scopes: `send` (the send routes) or `admin` (also the admin API). Keys from before
    // scopes could do everything; the one the gateway creates itself is the local CLI's admin key.
    version: 2,
    sql: [`ALTER TABLE api_keys ADD COLUMN scope TEXT NOT NULL DEFAULT 'send'`, `UPDATE api_keys SET scope = 'admin'`],
  },
  {
    // Replicas: fenced outbox leases, named leases (alert groups), page sessions and request limits in the store.
    version: 3,
    sql: [
      // The holder's attempt id; `next_attempt_at` is the lease's end while it is set (see leases.ts).
      `ALTER TABLE outbox ADD COLUMN lease_token TEXT`,
      `CREATE TABLE leases (name TEXT PRIMARY KEY, lease_token TEXT, lease_until TEXT NOT NULL)`,
      `CREATE TABLE admin_sessions (token_hash TEXT PRIMARY KEY, created_at TEXT NOT NULL, expires_at TEXT NOT NULL)`,
      // Counters of the shared request limits (Postgres only; lost on a crash, which only resets windows).
      {
        sqlite: `CREATE TABLE rate_windows (key TEXT PRIMARY KEY, window_start BIGINT NOT NULL, count INTEGER NOT NULL)`,
        postgres: `CREATE UNLOGGED TABLE rate_windows (key TEXT PRIMARY KEY, window_start BIGINT NOT NULL, count INTEGER NOT NULL)`,
      },
    ],
  },
];
