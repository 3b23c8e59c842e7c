import { NotifyError, type Channel, type Clock, type HealthStatus, type Notification, type SendResult } from '@wxnotify/core';
import type { NotifyRecorder } from './notify-recorder.js';

/**
 * A channel that sends nothing and records what would have been sent. When the real channel
 * could be built from its config, its `validate` runs first, so a notification the real
 * channel would refuse (no recipients, bad URL...) fails here too.
 */
export class MemoryChannel implements Channel<Notification> {
  constructor(
    readonly name: string,
    readonly type: string,
    private readonly recorder: NotifyRecorder,
    private readonly clock: Clock,
    private readonly real?: Channel<any>,
  ) {}

  validate(notification: Notification): void {
    this.real?.validate?.(notification);
  }

  async send(notification: Notification): Promise<SendResult> {
    this.validate(notification);
    const failure = this.recorder.takeFailure();
    if (failure) throw new NotifyError({ channel: this.type, operation: 'send', kind: 'upstream', ...failure });
    const record = this.recorder.record(this.name, this.type, notification, this.clock.now());
    return { channel: this.type, ok: true, messageIds: [record.id], requests: 0, parts: 1, batches: 1, retries: 0, partialFailures: [] };
  }

  async check(): Promise<HealthStatus> {
    return { ok: true, message: 'in-memory channel (testing)' };
  }
}
