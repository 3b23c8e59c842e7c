/** Counters of fire-and-forget delivery (`dispatch`, the interceptor, events). */
export interface NotifyStats {
  /** Sends that the channel completed (SendResult returned). */
  sent: number;
  /** Sends that ended with an error (NotifyError or other). */
  failed: number;
  /** Sends waiting or running right now. */
  pending: number;
  /** Notifications given up: backlog full, or still pending when the shutdown timeout ran out. */
  dropped: number;
  /** Notifications handed to the queue (queue mode). */
  queued: number;
  /** Enqueue attempts that failed (Redis down) and fell back to an in-process send. */
  fallbacks: number;
}
