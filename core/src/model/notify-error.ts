import type { SendResult } from './send-result';

/**
 * Where the failure came from:
 * - `upstream`: the service answered with an error code (also when HTTP was 200)
 * - `http`: a non-2xx status without a usable error body
 * - `network`: connection reset, refused, timeout
 * - `validation`: the config or the notification was rejected before any request
 */
export type ErrorKind = 'upstream' | 'http' | 'network' | 'validation';

export interface NotifyErrorInit {
  channel: string;
  code: number | string;
  kind: ErrorKind;
  retryable: boolean;
  message: string;
  hint?: string;
  status?: number;
  /** Operation that failed, e.g. `message/send`. */
  operation?: string;
  /** What was already delivered before the failure (e.g. earlier parts or batches). */
  partial?: SendResult;
  /** Caller IP reported by WeCom for 60020. */
  fromIp?: string;
  cause?: unknown;
}

/**
 * The one error type every channel throws. Messages are redacted before they get here:
 * never put a token, key or secret into `message` or `hint`.
 */
export class NotifyError extends Error {
  readonly channel: string;
  readonly code: number | string;
  readonly kind: ErrorKind;
  readonly retryable: boolean;
  readonly hint?: string;
  readonly status?: number;
  readonly operation?: string;
  readonly partial?: SendResult;
  readonly fromIp?: string;
  /** The upstream's own message (redacted), without our prefix. */
  readonly upstreamMessage: string;

  constructor(init: NotifyErrorInit) {
    const prefix = `[${init.channel}${init.operation ? ` ${init.operation}` : ''}] ${init.code}`;
    super(`${prefix}: ${init.message}${init.hint ? ` (hint: ${init.hint})` : ''}`);
    this.name = 'NotifyError';
    this.channel = init.channel;
    this.code = init.code;
    this.kind = init.kind;
    this.retryable = init.retryable;
    this.hint = init.hint;
    this.status = init.status;
    this.operation = init.operation;
    this.partial = init.partial;
    this.fromIp = init.fromIp;
    this.upstreamMessage = init.message;
  }

  withPartial(partial: SendResult): NotifyError {
    return new NotifyError({ ...this.toInit(), partial });
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, ...this.toInit() };
  }

  private toInit(): NotifyErrorInit {
    return {
      channel: this.channel,
      code: this.code,
      kind: this.kind,
      retryable: this.retryable,
      message: this.upstreamMessage,
      hint: this.hint,
      status: this.status,
      operation: this.operation,
      fromIp: this.fromIp,
      partial: this.partial,
    };
  }
}

export function isNotifyError(value: unknown): value is NotifyError {
  return value instanceof NotifyError;
}

export function validationError(channel: string, code: string, message: string, hint?: string): NotifyError {
  return new NotifyError({ channel, code, kind: 'validation', retryable: false, message, hint });
}
