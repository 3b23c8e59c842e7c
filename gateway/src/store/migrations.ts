/** Ordered schema steps. SQL that both SQLite and Postgres accept; times are ISO-8601 text. */
export const migrations: ReadonlyArray<{ version: number; sql: string[] }> = [
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
];
