import { WECOM_APP_LIMITS, type Alert } from '@wxnotify/core';
import { Leases, type Lease } from '../store/leases.js';
import type { Row, SqlDriver } from '../store/sql-driver.js';
import type { Matcher } from './matchers.js';

/** One aggregation group of one intake Code towards one receiver. */
export interface GroupRow {
  id: string;
  codeId: string;
  receiver: string;
  groupKey: string;
  groupLabels: Record<string, string>;
  /** Effective settings (JSON) when the group was opened. */
  settings: string;
  state: 'active' | 'resolved';
  createdAt: number;
  updatedAt: number;
  nextFlushAt: number | null;
  lastSentAt: number | null;
  /** Fingerprints of the firing alerts in the last message sent. */
  sentFiring: string[];
  firingMsgids: string[];
  firingSentAt: number | null;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  resolvedAt: number | null;
}

export interface SilenceRow {
  id: string;
  codeId: string;
  matchers: Matcher[];
  startsAt: number;
  endsAt: number;
  comment: string;
  createdBy: string;
  createdAt: number;
  expiredAt: number | null;
}

export interface DeliveryRow {
  id: string;
  codeId: string;
  receiver: string;
  channel: string;
  recipients: unknown;
  groupIds: string[];
  title: string;
  reason: string;
  notification: string;
  alerts: number;
  coalesced: number;
  /**
   * `queued`: accepted for the outbox, not delivered yet; `coalesced`: delivered merged with others (quota);
   * `unconfirmed` / `lease-lost`: aborted because the flush lost its lease (another replica sends it).
   */
  status: 'sending' | 'sent' | 'failed' | 'queued' | 'coalesced' | 'unconfirmed' | 'lease-lost';
  parts: number;
  upstreamCode: string | null;
  retries: number;
  error: string | null;
  /** The NotifyError's short, actionable hint (Chinese first) of a failure. */
  hint?: string | null;
  messageIds: string[];
  resendOf: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A firing card's task and the response code its send returned (ms since epoch of the gateway clock). */
export interface CardCode {
  taskId: string;
  responseCode: string;
  issuedAt: number;
}

/** An update with one card code that waits for its next try (`dueAt`), with what it shows and its delivery-log row. */
export interface CardUpdateDue {
  responseCode: string;
  groupId: string;
  taskId?: string;
  /** When WeCom issued the code (the send, or the click). */
  issuedAt: number;
  line: string;
  reason: string;
  kind: 'click' | 'resolved';
  deliveryId: string;
  /** Later tries made so far. */
  retries: number;
  dueAt: number;
}

/** How long a card's response code can update it (WeCom: 72 h). */
export const CARD_CODE_TTL_MS = WECOM_APP_LIMITS.cardResponseCodeTtlSeconds * 1000;
/** Repeats of one long-firing group each send a card; the newest few are kept. */
const MAX_CARD_CODES = 20;

/** A delivery-log row as it starts: `sending`, nothing answered yet. */
export function startedDelivery(d: Omit<DeliveryRow, 'status' | 'parts' | 'upstreamCode' | 'retries' | 'error' | 'messageIds' | 'updatedAt'>): DeliveryRow {
  // Field by field: a spread followed by this many keys is V8's slow path (about 14 µs a row against 0.1 µs), on every logged send.
  return {
    id: d.id,
    codeId: d.codeId,
    receiver: d.receiver,
    channel: d.channel,
    recipients: d.recipients,
    groupIds: d.groupIds,
    title: d.title,
    reason: d.reason,
    notification: d.notification,
    alerts: d.alerts,
    coalesced: d.coalesced,
    status: 'sending',
    parts: 0,
    upstreamCode: null,
    retries: 0,
    error: null,
    hint: d.hint ?? null,
    messageIds: [],
    resendOf: d.resendOf,
    createdAt: d.createdAt,
    updatedAt: d.createdAt,
  };
}

/**
 * Rows per INSERT on Postgres: one statement per batch of the delivery log. 21 values a row: 8,400
 * bound parameters, under Postgres's 65,535.
 */
const DELIVERY_INSERT_CHUNK = 400;

const DELIVERY_COLUMNS = 'id, code_id, receiver, channel, recipients, group_ids, title, reason, notification, alerts, coalesced, status, parts, upstream_code, retries, error, hint, message_ids, resend_of, created_at, updated_at';

/**
 * SQLite: a whole batch is ONE parameter, a JSON array of rows (each an array in DELIVERY_COLUMNS
 * order) unpacked inside SQLite, so a batch is one small statement and one commit whatever its
 * size, and the values are not bound one by one through the WebAssembly boundary.
 */
const SQLITE_DELIVERY_INSERT = `INSERT INTO alert_deliveries (${DELIVERY_COLUMNS}) SELECT ${DELIVERY_COLUMNS.split(', ')
  .map((_, i) => `value ->> ${i}`)
  .join(', ')} FROM jsonb_each(CAST(? AS TEXT))`;

/** A delivery row's values in DELIVERY_COLUMNS order (its JSON fields as their text). */
function deliveryValues(d: DeliveryRow): unknown[] {
  return [d.id, d.codeId, d.receiver, d.channel, JSON.stringify(d.recipients ?? null), JSON.stringify(d.groupIds), d.title, d.reason, d.notification, d.alerts, d.coalesced, d.status, d.parts, d.upstreamCode, d.retries, d.error, d.hint ?? null, JSON.stringify(d.messageIds), d.resendOf, d.createdAt, d.updatedAt];
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const json = <T>(v: unknown, fallback: T): T => (v === null || v === undefined || v === '' ? fallback : (JSON.parse(String(v)) as T));

function toGroup(r: Row): GroupRow {
  return {
    id: String(r.id),
    codeId: String(r.code_id),
    receiver: String(r.receiver),
    groupKey: String(r.group_key),
    groupLabels: json(r.group_labels, {}),
    settings: String(r.settings),
    state: r.state as GroupRow['state'],
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    nextFlushAt: num(r.next_flush_at),
    lastSentAt: num(r.last_sent_at),
    sentFiring: json(r.sent_firing, []),
    firingMsgids: json(r.firing_msgids, []),
    firingSentAt: num(r.firing_sent_at),
    acknowledgedAt: num(r.acknowledged_at),
    acknowledgedBy: (r.acknowledged_by as string | null) ?? null,
    resolvedAt: num(r.resolved_at),
  };
}

function toSilence(r: Row): SilenceRow {
  return {
    id: String(r.id),
    codeId: String(r.code_id),
    matchers: json(r.matchers, []),
    startsAt: Number(r.starts_at),
    endsAt: Number(r.ends_at),
    comment: String(r.comment),
    createdBy: String(r.created_by),
    createdAt: Number(r.created_at),
    expiredAt: num(r.expired_at),
  };
}

function toDelivery(r: Row): DeliveryRow {
  return {
    id: String(r.id),
    codeId: String(r.code_id),
    receiver: String(r.receiver),
    channel: String(r.channel),
    recipients: json(r.recipients, null),
    groupIds: json(r.group_ids, []),
    title: String(r.title),
    reason: String(r.reason),
    notification: String(r.notification),
    alerts: Number(r.alerts),
    coalesced: Number(r.coalesced),
    status: r.status as DeliveryRow['status'],
    parts: Number(r.parts),
    upstreamCode: (r.upstream_code as string | null) ?? null,
    retries: Number(r.retries),
    error: (r.error as string | null) ?? null,
    hint: (r.hint as string | null) ?? null,
    messageIds: json(r.message_ids, []),
    resendOf: (r.resend_of as string | null) ?? null,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

/** Alert state in the gateway store (SQLite or Postgres): groups, alerts, silences, deliveries. */
export class AlertStore {
  /** `deliveries: false` (WXNOTIFY_DELIVERY_LOG=off): delivery-log rows are neither written nor updated. */
  constructor(
    private readonly db: SqlDriver,
    private readonly options: { deliveries?: boolean } = {},
  ) {}

  // Settings per Code

  async getSettings(codeId: string): Promise<string | undefined> {
    const [row] = await this.db.all('SELECT settings FROM alert_settings WHERE code_id = ?', [codeId]);
    return row ? String(row.settings) : undefined;
  }

  async setSettings(codeId: string, settings: string, now: number): Promise<void> {
    await this.db.run('INSERT INTO alert_settings (code_id, settings, updated_at) VALUES (?, ?, ?) ON CONFLICT (code_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at', [codeId, settings, now]);
  }

  // Groups and alerts

  /**
   * Opens the group (first flush after groupWait) unless it exists; a resolved group that gets a
   * firing alert again is reopened as new. One statement in the common case (upsert … RETURNING).
   * Returns the group's state after the call.
   */
  async openGroup(g: { id: string; codeId: string; receiver: string; groupKey: string; groupLabels: Record<string, string>; settings: string }, now: number, flushAt: number, firing: boolean): Promise<GroupRow['state']> {
    const [row] = await this.db.all(
      `INSERT INTO alert_groups (id, code_id, receiver, group_key, group_labels, settings, state, created_at, updated_at, next_flush_at, sent_firing)
       VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, '[]') ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at RETURNING state`,
      [g.id, g.codeId, g.receiver, g.groupKey, JSON.stringify(g.groupLabels), g.settings, now, now, flushAt],
    );
    const state = (row?.state as GroupRow['state'] | undefined) ?? 'active';
    if (state === 'active' || !firing) return state;
    const reopened = await this.db.run(
      `UPDATE alert_groups SET state = 'active', settings = ?, created_at = ?, updated_at = ?, next_flush_at = ?, sent_firing = '[]', last_sent_at = NULL,
         firing_msgids = NULL, firing_sent_at = NULL, acknowledged_at = NULL, acknowledged_by = NULL, resolved_at = NULL WHERE id = ? AND state = 'resolved'`,
      [g.settings, now, now, flushAt, g.id],
    );
    return reopened > 0 ? 'active' : state;
  }

  /** Stores (or replaces, by fingerprint) the alerts of one group in one statement. */
  async putAlerts(groupId: string, alerts: readonly Alert[], now: number): Promise<void> {
    for (let i = 0; i < alerts.length; i += 100) {
      const chunk = alerts.slice(i, i + 100);
      await this.db.run(
        `INSERT INTO alert_instances (group_id, fingerprint, status, alert, updated_at) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?)').join(', ')}
         ON CONFLICT (group_id, fingerprint) DO UPDATE SET status = excluded.status, alert = excluded.alert, updated_at = excluded.updated_at`,
        chunk.flatMap((a) => [groupId, a.fingerprint, a.status, JSON.stringify(a), now]),
      );
    }
  }

  async alertsOf(groupId: string): Promise<Alert[]> {
    const rows = await this.db.all('SELECT alert FROM alert_instances WHERE group_id = ? ORDER BY updated_at, fingerprint', [groupId]);
    return rows.map((r) => JSON.parse(String(r.alert)) as Alert);
  }

  async deleteAlerts(groupId: string, fingerprints: readonly string[]): Promise<void> {
    for (const fp of fingerprints) await this.db.run('DELETE FROM alert_instances WHERE group_id = ? AND fingerprint = ?', [groupId, fp]);
  }

  async getGroup(id: string): Promise<GroupRow | undefined> {
    const [row] = await this.db.all('SELECT * FROM alert_groups WHERE id = ?', [id]);
    return row ? toGroup(row) : undefined;
  }

  async dueGroups(now: number, limit: number): Promise<GroupRow[]> {
    const rows = await this.db.all('SELECT * FROM alert_groups WHERE next_flush_at IS NOT NULL AND next_flush_at <= ? AND lease_until <= ? ORDER BY next_flush_at LIMIT ?', [now, new Date(now).toISOString(), limit]);
    return rows.map(toGroup);
  }

  /** Leases on group rows (the store's fenced-lease helper): exactly one replica flushes a group. */
  leases(now: () => number): Leases {
    return new Leases(this.db, { table: 'alert_groups', takeIf: 'next_flush_at IS NOT NULL' }, now);
  }

  /**
   * The fenced write that ends a flush: only the lease holder records the outcome (and frees the
   * lease); false when another replica took the group meanwhile.
   */
  async finishFlush(
    leases: Leases,
    lease: Lease,
    outcome: { now: number; nextFlushAt: number | null; sentFiring?: string[]; sentAt?: number; msgids?: string[]; resolved?: boolean },
  ): Promise<boolean> {
    const sets = ['updated_at = ?', 'next_flush_at = ?'];
    const params: unknown[] = [outcome.now, outcome.nextFlushAt];
    if (outcome.sentFiring) {
      sets.push('sent_firing = ?');
      params.push(JSON.stringify(outcome.sentFiring));
    }
    if (outcome.sentAt !== undefined) {
      sets.push('last_sent_at = ?');
      params.push(outcome.sentAt);
    }
    if (outcome.msgids && outcome.sentFiring?.length) {
      sets.push('firing_msgids = ?', 'firing_sent_at = ?');
      params.push(JSON.stringify(outcome.msgids), outcome.now);
    }
    if (outcome.resolved) {
      sets.push(`state = 'resolved'`, 'resolved_at = ?', 'acknowledged_at = NULL');
      params.push(outcome.now);
    }
    sets.push('lease_until = ?');
    params.push(new Date(outcome.now).toISOString());
    return leases.finish(lease, sets.join(', '), params);
  }

  /** SQLite has one writer: leases left by a crashed run are void at start. */
  async releaseLeases(): Promise<number> {
    return this.db.run(`UPDATE alert_groups SET lease_token = NULL, lease_until = '1970-01-01T00:00:00.000Z' WHERE lease_token IS NOT NULL`);
  }

  async acknowledge(id: string, by: string, now: number): Promise<boolean> {
    return (await this.db.run(`UPDATE alert_groups SET acknowledged_at = ?, acknowledged_by = ?, updated_at = ? WHERE id = ? AND state = 'active'`, [now, by, now, id])) === 1;
  }

  async listGroups(filter: { codeId?: string; state?: GroupRow['state']; limit: number }): Promise<GroupRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.codeId) {
      where.push('code_id = ?');
      params.push(filter.codeId);
    }
    if (filter.state) {
      where.push('state = ?');
      params.push(filter.state);
    }
    params.push(filter.limit);
    const rows = await this.db.all(`SELECT * FROM alert_groups ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY updated_at DESC LIMIT ?`, params);
    return rows.map(toGroup);
  }

  async countActiveGroups(): Promise<number> {
    const [row] = await this.db.all<{ n: unknown }>(`SELECT COUNT(*) AS n FROM alert_groups WHERE state = 'active'`);
    return Number(row?.n ?? 0);
  }

  // Response codes of alert cards (table alert_card_codes)

  /**
   * Keeps the response code WeCom returned for a firing card (good for one update within 72 h) so
   * the card can show the resolve; the group's expired unused codes and all but its newest few go.
   * Only the holder of the group's flush lease writes or takes them, so replicas do not race.
   */
  async addCardCode(groupId: string, code: CardCode, now: number): Promise<void> {
    await this.db.run('INSERT INTO alert_card_codes (response_code, group_id, task_id, sent_at) VALUES (?, ?, ?, ?) ON CONFLICT (response_code) DO NOTHING', [code.responseCode, groupId, code.taskId, code.issuedAt]);
    await this.db.run('DELETE FROM alert_card_codes WHERE group_id = ? AND used_at IS NULL AND sent_at <= ?', [groupId, now - CARD_CODE_TTL_MS]);
    await this.db.run(
      `DELETE FROM alert_card_codes WHERE group_id = ? AND used_at IS NULL AND response_code NOT IN
       (SELECT response_code FROM alert_card_codes WHERE group_id = ? AND used_at IS NULL ORDER BY sent_at DESC LIMIT ${MAX_CARD_CODES})`,
      [groupId, groupId],
    );
  }

  /** The group's unused card codes, each marked used now (a conditional write: a code is taken once, by one replica). */
  async takeCardCodes(groupId: string, now: number): Promise<CardCode[]> {
    const rows = await this.db.all('SELECT response_code, task_id, sent_at FROM alert_card_codes WHERE group_id = ? AND used_at IS NULL ORDER BY sent_at', [groupId]);
    const taken: CardCode[] = [];
    for (const r of rows) {
      if ((await this.db.run('UPDATE alert_card_codes SET used_at = ? WHERE response_code = ? AND used_at IS NULL', [now, r.response_code])) === 1) {
        taken.push({ taskId: String(r.task_id ?? ''), responseCode: String(r.response_code), issuedAt: Number(r.sent_at) });
      }
    }
    return taken;
  }

  /** Schedules the next try of an update with `code` (a send's or a click's) at `dueAt`; the code counts as used. */
  async scheduleCardUpdate(u: CardUpdateDue, now: number): Promise<void> {
    await this.db.run(
      `INSERT INTO alert_card_codes (response_code, group_id, task_id, sent_at, used_at, update_line, update_reason, update_kind, delivery_id, retries, due_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (response_code) DO UPDATE SET used_at = excluded.used_at, update_line = excluded.update_line, update_reason = excluded.update_reason,
         update_kind = excluded.update_kind, delivery_id = excluded.delivery_id, retries = excluded.retries, due_at = excluded.due_at`,
      [u.responseCode, u.groupId, u.taskId ?? null, u.issuedAt, now, u.line, u.reason, u.kind, u.deliveryId, u.retries, u.dueAt],
    );
  }

  /** Card updates whose next try is due (and whose lease is free). */
  async dueCardUpdates(now: number, limit: number): Promise<CardUpdateDue[]> {
    const rows = await this.db.all('SELECT * FROM alert_card_codes WHERE due_at IS NOT NULL AND due_at <= ? AND lease_until <= ? ORDER BY due_at LIMIT ?', [now, new Date(now).toISOString(), limit]);
    return rows.map((r) => ({
      responseCode: String(r.response_code),
      groupId: String(r.group_id),
      ...(r.task_id ? { taskId: String(r.task_id) } : {}),
      issuedAt: Number(r.sent_at),
      line: String(r.update_line ?? ''),
      reason: String(r.update_reason ?? ''),
      kind: r.update_kind === 'click' ? 'click' : 'resolved',
      deliveryId: String(r.delivery_id ?? ''),
      retries: Number(r.retries ?? 0),
      dueAt: Number(r.due_at),
    }));
  }

  /** Leases on card-code rows: exactly one replica makes a waiting update's next try. */
  cardCodeLeases(now: () => number): Leases {
    return new Leases(this.db, { table: 'alert_card_codes', key: 'response_code', takeIf: 'due_at IS NOT NULL' }, now);
  }

  /** Takes a waiting update off the schedule, as its lease holder (`fence`), if it is due at `now`; 1 when it was. */
  async clearCardUpdateDue(fence: { sql: string; params: unknown[] }, now: number): Promise<number> {
    return this.db.run(`UPDATE alert_card_codes SET due_at = NULL WHERE due_at IS NOT NULL AND due_at <= ? AND ${fence.sql}`, [now, ...fence.params]);
  }

  /** Used codes past their 72 h with nothing waiting: of no further use. */
  async pruneCardCodes(now: number): Promise<number> {
    return this.db.run('DELETE FROM alert_card_codes WHERE used_at IS NOT NULL AND due_at IS NULL AND sent_at <= ?', [now - CARD_CODE_TTL_MS]);
  }

  // Silences

  async addSilence(s: SilenceRow): Promise<void> {
    await this.db.run(
      'INSERT INTO alert_silences (id, code_id, matchers, starts_at, ends_at, comment, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [s.id, s.codeId, JSON.stringify(s.matchers), s.startsAt, s.endsAt, s.comment, s.createdBy, s.createdAt],
    );
  }

  async activeSilences(codeId: string, now: number): Promise<SilenceRow[]> {
    const rows = await this.db.all('SELECT * FROM alert_silences WHERE code_id = ? AND starts_at <= ? AND ends_at > ? AND expired_at IS NULL', [codeId, now, now]);
    return rows.map(toSilence);
  }

  async listSilences(filter: { codeId?: string; limit: number }): Promise<SilenceRow[]> {
    const rows = filter.codeId
      ? await this.db.all('SELECT * FROM alert_silences WHERE code_id = ? ORDER BY created_at DESC LIMIT ?', [filter.codeId, filter.limit])
      : await this.db.all('SELECT * FROM alert_silences ORDER BY created_at DESC LIMIT ?', [filter.limit]);
    return rows.map(toSilence);
  }

  async expireSilence(id: string, codeId: string | undefined, now: number): Promise<boolean> {
    const sql = codeId ? 'UPDATE alert_silences SET expired_at = ? WHERE id = ? AND code_id = ? AND expired_at IS NULL' : 'UPDATE alert_silences SET expired_at = ? WHERE id = ? AND expired_at IS NULL';
    return (await this.db.run(sql, codeId ? [now, id, codeId] : [now, id])) === 1;
  }

  // Delivery log

  async addDelivery(d: DeliveryRow): Promise<void> {
    await this.addDeliveries([d]);
  }

  /** Several rows in one statement (per chunk on Postgres; the gateway's send log writes in batches). */
  async addDeliveries(rows: readonly DeliveryRow[]): Promise<void> {
    if (this.options.deliveries === false || rows.length === 0) return;
    if (this.db.dialect === 'sqlite') {
      await this.db.run(SQLITE_DELIVERY_INSERT, [Buffer.from(JSON.stringify(rows.map(deliveryValues)))]);
      return;
    }
    for (let i = 0; i < rows.length; i += DELIVERY_INSERT_CHUNK) {
      const chunk = rows.slice(i, i + DELIVERY_INSERT_CHUNK);
      await this.db.run(`INSERT INTO alert_deliveries (${DELIVERY_COLUMNS}) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`, chunk.flatMap(deliveryValues));
    }
  }

  /** Returns whether the row was there. */
  async finishDelivery(id: string, patch: Pick<DeliveryRow, 'status' | 'parts' | 'upstreamCode' | 'retries' | 'error' | 'messageIds' | 'updatedAt'> & Partial<Pick<DeliveryRow, 'hint' | 'coalesced'>>): Promise<boolean> {
    if (this.options.deliveries === false) return false;
    const changed = await this.db.run('UPDATE alert_deliveries SET status = ?, coalesced = COALESCE(?, coalesced), parts = ?, upstream_code = ?, retries = ?, error = ?, hint = ?, message_ids = ?, updated_at = ? WHERE id = ?', [
      patch.status,
      patch.coalesced ?? null,
      patch.parts,
      patch.upstreamCode,
      patch.retries,
      patch.error,
      patch.hint ?? null,
      JSON.stringify(patch.messageIds),
      patch.updatedAt,
      id,
    ]);
    return changed > 0;
  }

  /** Retention: removes rows older than `before`, then all but the newest `keep`. Returns the rows removed. */
  async pruneDeliveries(before: number, keep: number): Promise<number> {
    let removed = await this.db.run('DELETE FROM alert_deliveries WHERE created_at < ?', [before]);
    // The first row past `keep` in the list's order (newest first, then by id), and all after it. Found
    // on the created_at index alone (ordering the whole table by created_at and id costs ~20 ms per
    // 10,000 rows on the embedded store), then by id among the rows of that one instant.
    const [edge] = await this.db.all('SELECT created_at FROM alert_deliveries ORDER BY created_at DESC LIMIT 1 OFFSET ?', [keep]);
    if (!edge) return removed;
    const edgeAt = Number(edge.created_at);
    const [newer] = await this.db.all('SELECT COUNT(*) AS n FROM alert_deliveries WHERE created_at > ?', [edgeAt]);
    const [edgeRow] = await this.db.all('SELECT id FROM alert_deliveries WHERE created_at = ? ORDER BY id LIMIT 1 OFFSET ?', [edgeAt, keep - Number(newer?.n ?? 0)]);
    if (edgeRow) removed += await this.db.run('DELETE FROM alert_deliveries WHERE created_at < ? OR (created_at = ? AND id >= ?)', [edgeAt, edgeAt, String(edgeRow.id)]);
    return removed;
  }

  async getDelivery(id: string): Promise<DeliveryRow | undefined> {
    const [row] = await this.db.all('SELECT * FROM alert_deliveries WHERE id = ?', [id]);
    return row ? toDelivery(row) : undefined;
  }

  /** Newest first; `q` searches title, receiver, channel, status, reason and the message text. */
  async listDeliveries(filter: { q?: string; codeId?: string; limit: number }): Promise<DeliveryRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.codeId) {
      where.push('code_id = ?');
      params.push(filter.codeId);
    }
    if (filter.q) {
      const like = `%${filter.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push(`(LOWER(title) LIKE ? ESCAPE '\\' OR LOWER(receiver) LIKE ? ESCAPE '\\' OR LOWER(channel) LIKE ? ESCAPE '\\' OR LOWER(status) LIKE ? ESCAPE '\\' OR LOWER(reason) LIKE ? ESCAPE '\\' OR LOWER(notification) LIKE ? ESCAPE '\\')`);
      params.push(like, like, like, like, like, like);
    }
    params.push(filter.limit);
    const rows = await this.db.all(`SELECT * FROM alert_deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id LIMIT ?`, params);
    return rows.map(toDelivery);
  }
}
