/** Counters of fire-and-forget delivery (`dispatch`, the interceptor, events). */
export interface NotifyStats {
  /** Sends that the channel completed (SendResult returned). */
  sent: number;
  /** Sends that ended with an error (NotifyError or other). */
  failed: number;
  /** Sends waiting or running right now. */
  pending: number;
  /**
   * Notifications not sent: backlog full, unknown channel, or at shutdown still waiting for a slot
   * or aborted before a request had left.
   */
  dropped: number;
  /**
   * Sends aborted at shutdown after a request had left (or a part was delivered): they may have
   * been delivered. Never counted as dropped.
   */
  unconfirmed: number;
  /** Notifications handed to the queue (queue mode). */
  queued: number;
  /** Enqueue attempts that failed (Redis down) and fell back to an in-process send. */
  fallbacks: number;
}
