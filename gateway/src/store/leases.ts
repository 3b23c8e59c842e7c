import { randomUUID } from 'node:crypto';
import type { SqlDriver } from './sql-driver.js';

/** One holder's right to do a piece of work until `until`, proved by its fencing token. */
export interface Lease {
  readonly key: string;
  /** This attempt's id. Every write that finishes the work checks it (see `Leases.finish`). */
  readonly token: string;
  /** When the lease ends unless renewed (epoch ms, this process's clock). */
  until: number;
}

export interface LeaseTable {
  table: string;
  /** Key column (default `id`). */
  key?: string;
  /** Column holding the holder's token (default `lease_token`); NULL = not held. */
  token?: string;
  /** Column holding the lease's end as ISO-8601 text (default `lease_until`). */
  until?: string;
  /** Extra condition a row must meet to be taken, e.g. `status = 'pending'`. */
  takeIf?: string;
  /** Rows are made on demand (a table of named leases); otherwise only existing rows can be taken. */
  upsert?: boolean;
}

/** The lease was taken over (it ran out unrenewed) or could not be renewed in time. */
export class LeaseLostError extends Error {
  constructor(readonly key: string) {
    super(`lost the lease on ${key}`);
  }
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Leases with fencing tokens on the rows of a store table: so that exactly one replica does a piece
 * of work (delivers an outbox entry, sends an alert group), and a replica that lost its lease
 * (a hung request, a paused process, a network split) can no longer record the work as its own.
 *
 * How to use:
 *
 *     // A table whose rows carry the work gets `lease_token TEXT` and `lease_until TEXT` columns
 *     // (in its migration); named leases without such a row use the `leases` table:
 *     const leases = new Leases(store.driver, { table: 'leases', key: 'name', upsert: true });
 *     const lease = await leases.take(`alert-group:${groupKey}`, 30_000);
 *     if (!lease) return;                          // another replica holds it: leave the work to it
 *     await leases.hold(lease, 30_000, async (signal) => {
 *       await send(group, { signal });             // renewed every ttl/3 while this runs; `signal`
 *     });                                          // aborts if the lease is lost (pass it on)
 *     // Record the outcome only if still the holder (a fenced write: same row, same statement):
 *     if (!(await leases.finish(lease, 'sent_at = ?', [now]))) log('another replica took over');
 *
 * Taking needs the lease to be free or expired, so a crashed holder's work is picked up once its
 * lease runs out: delivery is at least once, and exactly once while renewals get through. Times
 * come from each process's clock: keep replica clocks in sync (NTP), with skew well under the ttl.
 */
export class Leases {
  private readonly key: string;
  private readonly token: string;
  private readonly until: string;

  constructor(
    private readonly driver: SqlDriver,
    private readonly spec: LeaseTable,
    private readonly now: () => number = Date.now,
  ) {
    this.key = spec.key ?? 'id';
    this.token = spec.token ?? 'lease_token';
    this.until = spec.until ?? 'lease_until';
  }

  /** Takes `key` for `ttlMs` if it is free or its lease has run out; undefined when someone holds it. */
  async take(key: string, ttlMs: number): Promise<Lease | undefined> {
    const { table, takeIf } = this.spec;
    const t = this.now();
    const lease: Lease = { key, token: randomUUID(), until: t + ttlMs };
    const changed = this.spec.upsert
      ? await this.driver.run(
          `INSERT INTO ${table} (${this.key}, ${this.token}, ${this.until}) VALUES (?, ?, ?)
           ON CONFLICT (${this.key}) DO UPDATE SET ${this.token} = excluded.${this.token}, ${this.until} = excluded.${this.until}
           WHERE ${table}.${this.until} <= ?${takeIf ? ` AND ${takeIf}` : ''}`,
          [key, lease.token, iso(lease.until), iso(t)],
        )
      : await this.driver.run(
          `UPDATE ${table} SET ${this.token} = ?, ${this.until} = ? WHERE ${this.key} = ? AND ${this.until} <= ?${takeIf ? ` AND ${takeIf}` : ''}`,
          [lease.token, iso(lease.until), key, iso(t)],
        );
    return changed === 1 ? lease : undefined;
  }

  /** Extends the lease by `ttlMs` from now; false when another holder has it. */
  async renew(lease: Lease, ttlMs: number): Promise<boolean> {
    const until = this.now() + ttlMs;
    const ok = (await this.driver.run(`UPDATE ${this.spec.table} SET ${this.until} = ? WHERE ${this.key} = ? AND ${this.token} = ?`, [iso(until), lease.key, lease.token])) === 1;
    if (ok) lease.until = until;
    return ok;
  }

  /**
   * The fenced write that ends the work: `UPDATE … SET <assignments> WHERE key AND token match`,
   * clearing the token. False (nothing written) when the lease was lost. `assignments` may set the
   * until column too (e.g. a retry time); it is left as it is otherwise.
   */
  async finish(lease: Lease, assignments: string, params: unknown[] = []): Promise<boolean> {
    const sql = `UPDATE ${this.spec.table} SET ${assignments}, ${this.token} = NULL WHERE ${this.key} = ? AND ${this.token} = ?`;
    return (await this.driver.run(sql, [...params, lease.key, lease.token])) === 1;
  }

  /** Gives the lease up so that anyone may take it now (named leases: the row goes). */
  async release(lease: Lease): Promise<boolean> {
    if (this.spec.upsert) return (await this.driver.run(`DELETE FROM ${this.spec.table} WHERE ${this.key} = ? AND ${this.token} = ?`, [lease.key, lease.token])) === 1;
    return this.finish(lease, `${this.until} = ?`, [iso(this.now())]);
  }

  /** The condition for other writes that must come from the holder only: `{sql, params}` to AND into a WHERE. */
  fence(lease: Lease): { sql: string; params: unknown[] } {
    return { sql: `${this.key} = ? AND ${this.token} = ?`, params: [lease.key, lease.token] };
  }

  /**
   * Runs `fn` while renewing the lease every `ttlMs / 3`. `signal` aborts (with LeaseLostError)
   * when a renewal finds another holder, or when the lease runs out before a renewal got through
   * (the store was unreachable): the work should stop then, as another replica may take it.
   */
  async hold<T>(lease: Lease, ttlMs: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const lost = () => controller.abort(new LeaseLostError(lease.key));
    let renewing = false;
    const timer = setInterval(() => {
      if (controller.signal.aborted) return;
      if (this.now() >= lease.until) return lost();
      if (renewing) return;
      renewing = true;
      this.renew(lease, ttlMs)
        .then((ok) => ok || lost(), () => undefined) // a failed renewal is retried at the next tick
        .finally(() => (renewing = false));
    }, Math.max(1, Math.floor(ttlMs / 3)));
    timer.unref();
    try {
      return await fn(controller.signal);
    } finally {
      clearInterval(timer);
    }
  }
}
