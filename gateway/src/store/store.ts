import { randomUUID } from 'node:crypto';
import { Leases, type Lease } from './leases.js';
import { migrations } from './migrations.js';
import type { Row, SqlDriver } from './sql-driver.js';

/** Who a Code's messages go to (the core wecom-app recipients shape). */
export interface Recipients {
  users?: string[];
  parties?: string[];
  tags?: string[];
  all?: boolean;
}

export interface CodeRecord {
  id: string;
  codeHash: string;
  hint: string;
  name: string;
  /** `wecom-app` for Codes with their own app credentials; else the type of the named channel in `config.channel`. */
  channelType: string;
  /** Non-secret channel config, e.g. `{corpId, agentId}`, or `{channel}` for a Code on a named channel. */
  config: Record<string, unknown>;
  secretSealed: string;
  /** WeCom app recipients, or the named channel's `to` (see code-recipients.ts). */
  recipients: Recipients | Record<string, unknown> | string[];
  rateLimitPerMinute: number | null;
  createdAt: string;
  rotatedAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  sendCount: number;
}

export type NewCode = Pick<CodeRecord, 'codeHash' | 'hint' | 'name' | 'channelType' | 'config' | 'secretSealed' | 'recipients' | 'rateLimitPerMinute'> & { id?: string };

export interface OutboxEntry {
  id: string;
  channel: string;
  payload: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
  result: string | null;
  createdAt: string;
  nextAttemptAt: string;
}

/** `send`: the send routes only. `admin`: the send routes and the admin API. */
export type ApiKeyScope = 'send' | 'admin';

export interface ApiKeyRecord {
  id: string;
  name: string;
  scope: ApiKeyScope;
  createdAt: string;
  revokedAt: string | null;
}

const now = (): string => new Date().toISOString();

function toApiKey(row: Row): ApiKeyRecord {
  return {
    id: String(row.id),
    name: String(row.name),
    scope: row.scope === 'admin' ? 'admin' : 'send',
    createdAt: String(row.created_at),
    revokedAt: (row.revoked_at as string | null) ?? null,
  };
}

function toCode(row: Row): CodeRecord {
  return {
    id: String(row.id),
    codeHash: String(row.code_hash),
    hint: String(row.hint),
    name: String(row.name),
    channelType: String(row.channel_type),
    config: JSON.parse(String(row.config)) as Record<string, unknown>,
    secretSealed: String(row.secret_sealed),
    recipients: JSON.parse(String(row.recipients)) as CodeRecord['recipients'],
    rateLimitPerMinute: row.rate_limit_per_minute === null || row.rate_limit_per_minute === undefined ? null : Number(row.rate_limit_per_minute),
    createdAt: String(row.created_at),
    rotatedAt: (row.rotated_at as string | null) ?? null,
    revokedAt: (row.revoked_at as string | null) ?? null,
    lastUsedAt: (row.last_used_at as string | null) ?? null,
    sendCount: Number(row.send_count ?? 0),
  };
}

function toOutbox(row: Row): OutboxEntry {
  return {
    id: String(row.id),
    channel: String(row.channel),
    payload: String(row.payload),
    status: row.status as OutboxEntry['status'],
    attempts: Number(row.attempts),
    lastError: (row.last_error as string | null) ?? null,
    result: (row.result as string | null) ?? null,
    createdAt: String(row.created_at),
    nextAttemptAt: String(row.next_attempt_at),
  };
}

/** The gateway's persistent state (Codes, API keys, settings, outbox) over SQLite or Postgres. */
export class GatewayStore {
  /** Outbox entries are leased row by row: the lease ends at `next_attempt_at` (see claim). */
  private readonly outboxLeases: Leases;
  /** Named leases for work without a row of its own (e.g. alert groups): one replica at a time. */
  readonly leases: Leases;

  constructor(readonly driver: SqlDriver) {
    this.outboxLeases = new Leases(driver, { table: 'outbox', key: 'id', until: 'next_attempt_at', takeIf: "status = 'pending'" });
    this.leases = new Leases(driver, { table: 'leases', key: 'name', upsert: true });
  }

  /** Applies missing schema steps; replicas starting together take turns (Postgres advisory lock). */
  migrate(): Promise<number> {
    return this.driver.exclusive(async (db) => {
      await db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
      const done = new Set((await db.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)));
      let applied = 0;
      // Set-based: versions land out of order, so every missing one is applied (lowest first).
      for (const step of [...migrations].sort((a, b) => a.version - b.version)) {
        if (done.has(step.version)) continue;
        // Each step is one transaction (both SQLite and Postgres have transactional DDL).
        await db.exec('BEGIN');
        try {
          for (const sql of step.sql) await db.exec(typeof sql === 'string' ? sql : sql[db.dialect]);
          await db.run('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)', [step.version, now()]);
          await db.exec('COMMIT');
        } catch (error) {
          await db.exec('ROLLBACK');
          throw error;
        }
        applied++;
      }
      return applied;
    });
  }

  close(): Promise<void> {
    return this.driver.close();
  }

  // Codes

  async createCode(code: NewCode): Promise<CodeRecord> {
    const id = code.id ?? randomUUID();
    await this.driver.run(
      `INSERT INTO codes (id, code_hash, hint, name, channel_type, config, secret_sealed, recipients, rate_limit_per_minute, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [id, code.codeHash, code.hint, code.name, code.channelType, JSON.stringify(code.config), code.secretSealed, JSON.stringify(code.recipients ?? null), code.rateLimitPerMinute, now()],
    );
    return (await this.getCode(id))!;
  }

  async getCode(id: string): Promise<CodeRecord | undefined> {
    const [row] = await this.driver.all('SELECT * FROM codes WHERE id = ?', [id]);
    return row ? toCode(row) : undefined;
  }

  /** Active (not revoked) Code by hash. */
  async findActiveCode(codeHash: string): Promise<CodeRecord | undefined> {
    const [row] = await this.driver.all('SELECT * FROM codes WHERE code_hash = ? AND revoked_at IS NULL', [codeHash]);
    return row ? toCode(row) : undefined;
  }

  async listCodes(): Promise<CodeRecord[]> {
    return (await this.driver.all('SELECT * FROM codes ORDER BY created_at DESC')).map(toCode);
  }

  async revokeCode(id: string): Promise<boolean> {
    return (await this.driver.run('UPDATE codes SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [now(), id])) > 0;
  }

  async rotateCode(id: string, codeHash: string, hint: string): Promise<boolean> {
    return (await this.driver.run('UPDATE codes SET code_hash = ?, hint = ?, rotated_at = ? WHERE id = ? AND revoked_at IS NULL', [codeHash, hint, now(), id])) > 0;
  }

  async recordCodeUses(id: string, count: number, lastUsedAt: string): Promise<void> {
    await this.driver.run('UPDATE codes SET last_used_at = ?, send_count = send_count + ? WHERE id = ?', [lastUsedAt, count, id]);
  }

  // API keys

  async countApiKeys(): Promise<number> {
    const [row] = await this.driver.all<{ n: number }>('SELECT COUNT(*) AS n FROM api_keys WHERE revoked_at IS NULL');
    return Number(row?.n ?? 0);
  }

  async addApiKey(keyHash: string, name: string, scope: ApiKeyScope): Promise<ApiKeyRecord> {
    const id = randomUUID();
    const createdAt = now();
    await this.driver.run('INSERT INTO api_keys (id, key_hash, name, scope, created_at) VALUES (?, ?, ?, ?, ?)', [id, keyHash, name, scope, createdAt]);
    return { id, name, scope, createdAt, revokedAt: null };
  }

  async findActiveApiKey(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const [row] = await this.driver.all('SELECT id, name, scope, created_at, revoked_at FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL', [keyHash]);
    return row ? toApiKey(row) : undefined;
  }

  async listApiKeys(): Promise<ApiKeyRecord[]> {
    return (await this.driver.all('SELECT id, name, scope, created_at, revoked_at FROM api_keys ORDER BY created_at')).map(toApiKey);
  }

  async revokeApiKey(id: string): Promise<boolean> {
    return (await this.driver.run('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [now(), id])) > 0;
  }

  // Page sessions (token hashes), shared by every replica

  async addSession(tokenHash: string, createdAt: Date, expiresAt: Date): Promise<void> {
    // Expired sessions go at each login: the table stays as small as the live sessions.
    await this.driver.run('DELETE FROM admin_sessions WHERE expires_at <= ?', [createdAt.toISOString()]);
    await this.driver.run('INSERT INTO admin_sessions (token_hash, created_at, expires_at) VALUES (?, ?, ?)', [tokenHash, createdAt.toISOString(), expiresAt.toISOString()]);
  }

  async hasSession(tokenHash: string, at: Date): Promise<boolean> {
    return (await this.driver.all('SELECT 1 AS ok FROM admin_sessions WHERE token_hash = ? AND expires_at > ?', [tokenHash, at.toISOString()])).length > 0;
  }

  /** One session (logout), or all of them (password change). */
  async deleteSessions(tokenHash?: string): Promise<void> {
    if (tokenHash) await this.driver.run('DELETE FROM admin_sessions WHERE token_hash = ?', [tokenHash]);
    else await this.driver.run('DELETE FROM admin_sessions');
  }

  // Settings

  async getSetting(name: string): Promise<string | undefined> {
    const [row] = await this.driver.all('SELECT value FROM settings WHERE name = ?', [name]);
    return row ? String(row.value) : undefined;
  }

  async setSetting(name: string, value: string): Promise<void> {
    await this.driver.run('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value', [name, value]);
  }

  /** Writes the setting unless it exists; true when this call wrote it (replicas starting together race here). */
  async setSettingIfAbsent(name: string, value: string): Promise<boolean> {
    return (await this.driver.run('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING', [name, value])) > 0;
  }

  // Outbox (accepted asynchronous sends; survives restarts)

  /** `id`: chosen by the caller when something else (the delivery log) refers to the entry before it exists. */
  async enqueue(channel: string, payload: unknown, id: string = randomUUID()): Promise<string> {
    const at = now();
    await this.driver.run(
      `INSERT INTO outbox (id, channel, payload, status, attempts, created_at, updated_at, next_attempt_at) VALUES (?, ?, ?, 'pending', 0, ?, ?, ?)`,
      [id, channel, JSON.stringify(payload), at, at, at],
    );
    return id;
  }

  /** Pending entries that are due, oldest first. */
  async duePending(limit: number): Promise<OutboxEntry[]> {
    const rows = await this.driver.all(`SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY created_at LIMIT ?`, [now(), limit]);
    return rows.map(toOutbox);
  }

  /**
   * Takes a due entry for one delivery attempt: its due time becomes the lease's end, and the
   * attempt gets a fencing token (compare-and-set, so two replicas never take the same entry). The
   * worker renews the lease while the attempt runs; a crashed attempt is retried when the lease
   * runs out: delivery is at least once.
   */
  claim(entry: OutboxEntry, leaseMs: number): Promise<Lease | undefined> {
    return this.outboxLeases.take(entry.id, leaseMs);
  }

  /** Keeps the lease while `fn` runs (see Leases.hold). */
  holdOutbox<T>(lease: Lease, leaseMs: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return this.outboxLeases.hold(lease, leaseMs, fn);
  }

  /**
   * With the embedded store one process owns the outbox, so at start every pending entry is due
   * at once: leases left by a crashed process, and backoffs, no longer hold anything back.
   */
  async releaseLeases(): Promise<number> {
    const at = now();
    return this.driver.run(`UPDATE outbox SET next_attempt_at = ?, lease_token = NULL WHERE status = 'pending' AND next_attempt_at > ?`, [at, at]);
  }

  async getOutbox(id: string): Promise<OutboxEntry | undefined> {
    const [row] = await this.driver.all('SELECT * FROM outbox WHERE id = ?', [id]);
    return row ? toOutbox(row) : undefined;
  }

  /** The outcome of an attempt is written by the lease's holder only: false when the lease was lost. */
  markSent(lease: Lease, result: unknown): Promise<boolean> {
    return this.outboxLeases.finish(lease, `status = 'sent', attempts = attempts + 1, result = ?, last_error = NULL, updated_at = ?`, [JSON.stringify(result), now()]);
  }

  markRetry(lease: Lease, error: string, nextAttemptAt: Date): Promise<boolean> {
    return this.outboxLeases.finish(lease, `attempts = attempts + 1, last_error = ?, updated_at = ?, next_attempt_at = ?`, [error, now(), nextAttemptAt.toISOString()]);
  }

  markFailed(lease: Lease, error: string): Promise<boolean> {
    return this.outboxLeases.finish(lease, `status = 'failed', attempts = attempts + 1, last_error = ?, updated_at = ?`, [error, now()]);
  }

  async outboxDepth(): Promise<number> {
    const [row] = await this.driver.all<{ n: number }>(`SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'`);
    return Number(row?.n ?? 0);
  }
}
