import { isNotifyError, type SendResult } from '@wxnotify/core';
import type { GatewayLogger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';

/** Wraps every send: metrics by channel and error code, retries, and one redacted log line on failure. */
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
