import { randomUUID } from 'node:crypto';
import { alertGroupView, type Clock } from '@wxnotify/core';
import type { CodeRecord } from '../store/store.js';
import type { AlertEngine } from './alert-engine.js';
import type { AlertStore, GroupRow, SilenceRow } from './alert-store.js';
import { formatMatcher, MatcherError, parseMatcher } from './matchers.js';
import { parseDuration } from './settings.js';

const MAX_SILENCE_MS = 90 * 86_400_000;

export class AlertInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** What the API and the page show of a group. */
export interface GroupSummary {
  id: string;
  codeId: string;
  receiver: string;
  groupKey: string;
  groupLabels: Record<string, string>;
  state: GroupRow['state'];
  status: 'firing' | 'resolved';
  heading: string;
  counts: { total: number; firing: number; resolved: number };
  alerts: Array<{ fingerprint: string; status: string; severity: string; name: string; summary: string; labels: Record<string, string>; startsAt: string; endsAt?: string }>;
  createdAt: string;
  lastSentAt: string | null;
  nextFlushAt: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function describeSilence(s: SilenceRow, now: number): Record<string, unknown> {
  return {
    id: s.id,
    codeId: s.codeId,
    matchers: s.matchers.map(formatMatcher),
    startsAt: iso(s.startsAt),
    endsAt: iso(s.endsAt),
    comment: s.comment,
    createdBy: s.createdBy,
    active: s.expiredAt === null && s.startsAt <= now && s.endsAt > now,
  };
}

/** Silences, acknowledgements and the read side of alert state (the engine does intake and delivery). */
export class AlertService {
  constructor(
    readonly engine: AlertEngine,
    readonly store: AlertStore,
    private readonly clock: Clock,
  ) {}

  /** `{matchers: ["alertname=\"DiskFull\""], duration: "2h", comment?, createdBy?}` → a silence on the Code's alerts. */
  async silence(code: Pick<CodeRecord, 'id'>, body: Record<string, unknown>): Promise<SilenceRow> {
    const raw = body.matchers;
    if (!Array.isArray(raw) || raw.length === 0) throw new AlertInputError('matchers', '"matchers" must be a non-empty list such as ["alertname=\\"DiskFull\\""]');
    if (raw.length > 20) throw new AlertInputError('matchers', '"matchers" may hold at most 20 matchers');
    const matchers = raw.map((m, i) => {
      try {
        return parseMatcher(m);
      } catch (error) {
        throw new AlertInputError(`matchers[${i}]`, (error as MatcherError).message);
      }
    });
    let durationMs: number;
    try {
      const given = body.duration !== undefined ? body.duration : body.durationSeconds !== undefined ? Number(body.durationSeconds) * 1000 : undefined;
      durationMs = parseDuration(given, 'duration');
    } catch {
      throw new AlertInputError('duration', '"duration" must be a duration such as 30m, 2h or 1d');
    }
    if (durationMs <= 0 || durationMs > MAX_SILENCE_MS) throw new AlertInputError('duration', '"duration" must be between 1s and 90d');
    const text = (field: string, max: number): string => {
      const v = body[field];
      if (v === undefined || v === null) return '';
      if (typeof v !== 'string' || v.length > max) throw new AlertInputError(field, `"${field}" must be a string of at most ${max} characters`);
      return v.trim();
    };
    const now = this.clock.now();
    const silence: SilenceRow = {
      id: randomUUID(),
      codeId: code.id,
      matchers,
      startsAt: now,
      endsAt: now + durationMs,
      comment: text('comment', 500),
      createdBy: text('createdBy', 100) || 'api',
      createdAt: now,
      expiredAt: null,
    };
    await this.store.addSilence(silence);
    return silence;
  }

  /** Acknowledges a group of the Code by id or by group key (`{alertname="DiskFull"}`); it stops repeating. */
  async acknowledge(code: CodeRecord, body: Record<string, unknown>): Promise<GroupRow> {
    const ref = typeof body.groupId === 'string' ? body.groupId : typeof body.groupKey === 'string' ? body.groupKey : undefined;
    if (!ref) throw new AlertInputError('groupKey', '"groupKey" (e.g. {alertname="DiskFull"}) or "groupId" is required');
    const groups = await this.store.listGroups({ codeId: code.id, state: 'active', limit: 1000 });
    const group = groups.find((g) => g.id === ref || g.groupKey === ref);
    if (!group) throw new AlertInputError(typeof body.groupId === 'string' ? 'groupId' : 'groupKey', 'no active group of this Code has this key');
    const by = typeof body.by === 'string' && body.by.trim() ? body.by.trim().slice(0, 100) : 'api';
    await this.store.acknowledge(group.id, by, this.clock.now());
    return (await this.store.getGroup(group.id))!;
  }

  async acknowledgeById(id: string, by: string): Promise<boolean> {
    return this.store.acknowledge(id, by, this.clock.now());
  }

  async summarize(group: GroupRow): Promise<GroupSummary> {
    const alerts = await this.store.alertsOf(group.id);
    const view = alertGroupView({ key: group.groupKey, labels: group.groupLabels, alerts }, { maxAlerts: 1 });
    return {
      id: group.id,
      codeId: group.codeId,
      receiver: group.receiver,
      groupKey: group.groupKey,
      groupLabels: group.groupLabels,
      state: group.state,
      status: alerts.length ? view.status : 'resolved',
      heading: view.heading,
      counts: view.counts,
      alerts: alerts.map((a) => ({
        fingerprint: a.fingerprint,
        status: a.status,
        severity: a.severity,
        name: a.name,
        summary: a.summary,
        labels: a.labels,
        startsAt: a.startsAt,
        ...(a.endsAt ? { endsAt: a.endsAt } : {}),
      })),
      createdAt: new Date(group.createdAt).toISOString(),
      lastSentAt: iso(group.lastSentAt),
      nextFlushAt: iso(group.nextFlushAt),
      acknowledgedAt: iso(group.acknowledgedAt),
      acknowledgedBy: group.acknowledgedBy,
      resolvedAt: iso(group.resolvedAt),
    };
  }

  async groups(filter: { codeId?: string; state?: GroupRow['state']; limit?: number }): Promise<GroupSummary[]> {
    const rows = await this.store.listGroups({ ...filter, limit: Math.min(filter.limit ?? 200, 1000) });
    return Promise.all(rows.map((g) => this.summarize(g)));
  }

  now(): number {
    return this.clock.now();
  }
}
