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
  {
    // Alert intake (gateway/src/alerts): times are epoch milliseconds of the gateway's clock, except
    // lease_until (ISO text, as leases.ts keeps it).
    version: 4,
    sql: [
      `CREATE TABLE alert_settings (code_id TEXT PRIMARY KEY, settings TEXT NOT NULL, updated_at BIGINT NOT NULL)`,
      `CREATE TABLE alert_groups (
        id TEXT PRIMARY KEY,
        code_id TEXT NOT NULL,
        receiver TEXT NOT NULL,
        group_key TEXT NOT NULL,
        group_labels TEXT NOT NULL,
        settings TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        next_flush_at BIGINT,
        last_sent_at BIGINT,
        sent_firing TEXT NOT NULL,
        firing_msgids TEXT,
        firing_sent_at BIGINT,
        acknowledged_at BIGINT,
        acknowledged_by TEXT,
        resolved_at BIGINT,
        lease_token TEXT,
        lease_until TEXT NOT NULL DEFAULT '1970-01-01T00:00:00.000Z'
      )`,
      `CREATE INDEX alert_groups_due ON alert_groups (next_flush_at)`,
      `CREATE INDEX alert_groups_code ON alert_groups (code_id, state)`,
      `CREATE TABLE alert_instances (
        group_id TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        status TEXT NOT NULL,
        alert TEXT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (group_id, fingerprint)
      )`,
      `CREATE TABLE alert_silences (
        id TEXT PRIMARY KEY,
        code_id TEXT NOT NULL,
        matchers TEXT NOT NULL,
        starts_at BIGINT NOT NULL,
        ends_at BIGINT NOT NULL,
        comment TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        expired_at BIGINT
      )`,
      `CREATE INDEX alert_silences_code ON alert_silences (code_id, ends_at)`,
      `CREATE TABLE alert_deliveries (
        id TEXT PRIMARY KEY,
        code_id TEXT NOT NULL,
        receiver TEXT NOT NULL,
        channel TEXT NOT NULL,
        recipients TEXT NOT NULL,
        group_ids TEXT NOT NULL,
        title TEXT NOT NULL,
        reason TEXT NOT NULL,
        notification TEXT NOT NULL,
        alerts INTEGER NOT NULL,
        coalesced INTEGER NOT NULL,
        status TEXT NOT NULL,
        parts INTEGER NOT NULL DEFAULT 0,
        upstream_code TEXT,
        retries INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        message_ids TEXT,
        resend_of TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
      )`,
      `CREATE INDEX alert_deliveries_time ON alert_deliveries (created_at)`,
    ],
  },
  {
    // The delivery log covers every send (Codes, named channels, the outbox, test sends), with the error's hint.
    version: 5,
    sql: [`ALTER TABLE alert_deliveries ADD COLUMN hint TEXT`],
  },
  {
    // Alert cards' response codes (single use, 72 h) get a table of their own, moved out of the
    // name/value `settings` rows `alert-card-codes:<groupId>`. A row with `due_at` is an update
    // waiting for its next try (picked up by the alert loop, also after a restart), fenced by its lease.
    version: 6,
    sql: [
      `CREATE TABLE alert_card_codes (
        response_code TEXT PRIMARY KEY,
        group_id TEXT NOT NULL,
        task_id TEXT,
        sent_at BIGINT NOT NULL,
        used_at BIGINT,
        update_line TEXT,
        update_reason TEXT,
        update_kind TEXT,
        delivery_id TEXT,
        retries INTEGER NOT NULL DEFAULT 0,
        due_at BIGINT,
        lease_token TEXT,
        lease_until TEXT NOT NULL DEFAULT '1970-01-01T00:00:00.000Z'
      )`,
      `CREATE INDEX alert_card_codes_group ON alert_card_codes (group_id, used_at)`,
      `CREATE INDEX alert_card_codes_due ON alert_card_codes (due_at)`,
      `CREATE INDEX alert_card_codes_sent ON alert_card_codes (sent_at)`,
      {
        sqlite: `INSERT INTO alert_card_codes (response_code, group_id, task_id, sent_at)
          SELECT json_extract(j.value, '$.responseCode'), substr(s.name, 18), json_extract(j.value, '$.taskId'), json_extract(j.value, '$.issuedAt')
          FROM settings s, json_each(s.value) j
          WHERE s.name LIKE 'alert-card-codes:%' AND json_extract(j.value, '$.responseCode') IS NOT NULL
          ON CONFLICT (response_code) DO NOTHING`,
        postgres: `INSERT INTO alert_card_codes (response_code, group_id, task_id, sent_at)
          SELECT e->>'responseCode', substr(s.name, 18), e->>'taskId', (e->>'issuedAt')::bigint
          FROM settings s, json_array_elements(s.value::json) e
          WHERE s.name LIKE 'alert-card-codes:%' AND e->>'responseCode' IS NOT NULL
          ON CONFLICT (response_code) DO NOTHING`,
      },
      `DELETE FROM settings WHERE name LIKE 'alert-card-codes:%'`,
    ],
  },
];
