import type { Alert } from '@wxnotify/core';

/** Why a group becomes a message (Alertmanager's notification reasons), or why it does not. */
export type FlushReason = 'first notification' | 'new alerts added' | 'some alerts resolved' | 'all alerts resolved' | 'repeat interval elapsed';
export type SuppressReason = 'unchanged' | 'acknowledged' | 'silenced' | 'resolved without notice';

export interface FlushInput {
  alerts: readonly Alert[];
  /** Firing fingerprints of the last message sent. */
  sentFiring: readonly string[];
  lastSentAt: number | null;
  acknowledged: boolean;
  sendResolved: boolean;
  repeatIntervalMs: number;
  now: number;
  isSilenced(alert: Alert): boolean;
}

export interface FlushDecision {
  reason?: FlushReason;
  suppressed?: SuppressReason;
  /** What the message shows: firing alerts, then resolved ones we had announced as firing. */
  snapshot: Alert[];
  /** Firing, not silenced: the set the next flush compares against. */
  firing: string[];
  /** Resolved alerts to drop once this flush is done (each appears in at most one message). */
  resolvedDone: string[];
  silenced: number;
  /** No firing alert is left (silenced ones included): the group closes. */
  closes: boolean;
}

/**
 * Alertmanager's DedupStage per group: send when a firing alert is new, when announced alerts
 * resolved (send_resolved), when everything resolved, or when repeat_interval elapsed with the
 * group unchanged (not when acknowledged). An alert that fires and resolves before the first
 * flush is never sent.
 */
export function decideFlush(input: FlushInput): FlushDecision {
  const muted = input.alerts.filter((a) => input.isSilenced(a));
  const live = input.alerts.filter((a) => !muted.includes(a));
  const firing = live.filter((a) => a.status === 'firing');
  const announced = new Set(input.sentFiring);
  const resolvedAnnounced = live.filter((a) => a.status === 'resolved' && announced.has(a.fingerprint));
  const base = {
    firing: firing.map((a) => a.fingerprint),
    resolvedDone: input.alerts.filter((a) => a.status === 'resolved').map((a) => a.fingerprint),
    silenced: muted.length,
    closes: !input.alerts.some((a) => a.status === 'firing'),
  };
  const snapshot = [...firing, ...(input.sendResolved ? resolvedAnnounced : [])];
  const newFiring = firing.some((a) => !announced.has(a.fingerprint));
  if (newFiring) return { ...base, reason: announced.size ? 'new alerts added' : 'first notification', snapshot };
  if (firing.length === 0 && announced.size > 0 && resolvedAnnounced.length > 0) {
    return input.sendResolved ? { ...base, reason: 'all alerts resolved', snapshot } : { ...base, suppressed: 'resolved without notice', snapshot: [] };
  }
  if (resolvedAnnounced.length > 0 && input.sendResolved) return { ...base, reason: 'some alerts resolved', snapshot };
  if (firing.length > 0 && input.lastSentAt !== null && input.now - input.lastSentAt >= input.repeatIntervalMs) {
    return input.acknowledged ? { ...base, suppressed: 'acknowledged', snapshot: [] } : { ...base, reason: 'repeat interval elapsed', snapshot };
  }
  return { ...base, suppressed: muted.length && firing.length === 0 ? 'silenced' : 'unchanged', snapshot: [] };
}
