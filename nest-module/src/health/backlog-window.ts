import type { Clock } from '@wxnotify/core';
import type { NotifyStats } from '../notify.stats.js';

export interface NotifyBacklogOptions {
  /** Result key. Default `notify:backlog`. */
  key?: string;
  /** Down when this many sends are pending (running or waiting). Default 80 % of `maxPendingSends`. */
  maxPending?: number;
  /** Down when more than this many were dropped within `windowMs`. Default 0: any drop. */
  maxDropped?: number;
  /** Down when more than this many sends failed within `windowMs`. Default: failures alone never mark it down. */
  maxFailed?: number;
  /** How far back `maxDropped` / `maxFailed` look (ms). Default 60000. */
  windowMs?: number;
}

export interface BacklogReport {
  status: 'up' | 'down';
  pending: number;
  dropped: number;
  failed: number;
  sent: number;
  queued: number;
  fallbacks: number;
  /** Dropped / failed within the window. */
  recentDropped: number;
  recentFailed: number;
  windowMs: number;
  message?: string;
}

const MAX_SAMPLES = 256;

interface Sample {
  at: number;
  dropped: number;
  failed: number;
}

/**
 * Counters are totals since start; probes want "lately". Keeps the samples taken at each probe
 * and compares with the newest one at least `windowMs` old (or the start).
 */
export class BacklogWindow {
  private samples: Sample[];

  constructor(private readonly clock: Clock) {
    this.samples = [{ at: clock.now(), dropped: 0, failed: 0 }];
  }

  report(stats: NotifyStats, options: NotifyBacklogOptions, maxPendingSends: number): BacklogReport {
    const now = this.clock.now();
    const windowMs = options.windowMs ?? 60_000;
    const baseline = this.baseline(now - windowMs);
    this.samples.push({ at: now, dropped: stats.dropped, failed: stats.failed });
    // Probes faster than the window would pile up samples: thin out the oldest (the baseline gets older, never younger).
    if (this.samples.length > MAX_SAMPLES) this.samples.splice(1, 1);
    const recentDropped = stats.dropped - baseline.dropped;
    const recentFailed = stats.failed - baseline.failed;
    const maxPending = options.maxPending ?? Math.max(1, Math.floor(maxPendingSends * 0.8));
    const problems: string[] = [];
    if (stats.pending >= maxPending) problems.push(`${stats.pending} notifications pending (limit ${maxPending})`);
    if (recentDropped > (options.maxDropped ?? 0)) problems.push(`${recentDropped} dropped in the last ${windowMs / 1000} s`);
    if (options.maxFailed !== undefined && recentFailed > options.maxFailed) problems.push(`${recentFailed} failed in the last ${windowMs / 1000} s`);
    return {
      status: problems.length > 0 ? 'down' : 'up',
      pending: stats.pending,
      dropped: stats.dropped,
      failed: stats.failed,
      sent: stats.sent,
      queued: stats.queued,
      fallbacks: stats.fallbacks,
      recentDropped,
      recentFailed,
      windowMs,
      ...(problems.length > 0 ? { message: problems.join('; ') } : {}),
    };
  }

  /** The newest sample taken at or before `since`; older ones are no longer needed. */
  private baseline(since: number): Sample {
    let index = 0;
    while (index + 1 < this.samples.length && this.samples[index + 1].at <= since) index++;
    this.samples = this.samples.slice(index);
    return this.samples[0];
  }
}
