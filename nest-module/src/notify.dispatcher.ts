import type { Notification } from '@wxnotify/core';

/**
 * Where fire-and-forget notifications go when they should outlive the process (queue mode).
 * `enqueue` must reject fast when the backend is unreachable; the service then falls back.
 */
export interface NotifyDispatcher {
  enqueue(channel: string, notification: Notification): Promise<void>;
  close(): Promise<void>;
  /** When enqueueing fails: send in this process (default) or drop. */
  readonly fallback?: 'inline' | 'drop';
}
