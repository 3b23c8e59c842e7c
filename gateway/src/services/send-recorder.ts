import { isAbortError, isNotifyError, type NotifyError, type SendResult } from '@wxnotify/core';
import type { GatewayLogger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';

/** Wraps every send: metrics by channel and error code, retries, and one redacted log line on failure (an abort is counted as `aborted`). */
export class SendRecorder {
  constructor(
    private readonly metrics: Metrics,
    private readonly logger: GatewayLogger,
  ) {}

  async record(channel: string, send: () => Promise<SendResult>, context: Record<string, unknown> = {}): Promise<SendResult> {
    try {
      const result = await send();
      this.metrics.inc('wxnotify_sends_total', { channel, result: 'ok' });
      if (result.retries > 0) this.metrics.inc('wxnotify_send_retries_total', { channel }, result.retries);
      return result;
    } catch (error) {
      if (isAbortError(error)) {
        // Stopped by its caller (a lost lease, shutdown): not a failure; the caller says why.
        this.metrics.inc('wxnotify_sends_total', { channel, result: 'aborted' });
        this.logger.debug('send aborted', { channel, deliveryUnknown: (error as NotifyError).deliveryUnknown === true, ...context });
        throw error;
      }
      const code = isNotifyError(error) ? String(error.code) : 'INTERNAL';
      this.metrics.inc('wxnotify_sends_total', { channel, result: 'error' });
      this.metrics.inc('wxnotify_send_failures_total', { channel, code });
      const partial = isNotifyError(error) ? error.partial : undefined;
      if (partial && partial.retries > 0) this.metrics.inc('wxnotify_send_retries_total', { channel }, partial.retries);
      this.logger.warn('send failed', { channel, errorCode: code, error: error as Error, ...context });
      throw error;
    }
  }
}
