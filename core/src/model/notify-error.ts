import type { SendResult } from './send-result';

/**
 * Where the failure came from:
 * - `upstream`: the service answered with an error code (also when HTTP was 200)
 * - `http`: a non-2xx status without a usable error body
 * - `network`: connection reset, refused, timeout
 * - `validation`: the config or the notification was rejected before any request
 * - `aborted`: the caller's AbortSignal ended the send (code `ABORTED`, never retried)
 * - `quota`: sending now would exceed a quota the upstream enforces (often silently); nothing was sent
 */
export type ErrorKind = 'upstream' | 'http' | 'network' | 'validation' | 'aborted' | 'quota';

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
  /** A request was on the wire when the call ended (an abort, or an unanswered single-use call such as a card update): it may have been delivered/applied. */
  deliveryUnknown?: boolean;
  /** Retryable errors with a known wait (a quota, a rate limit not waited out): retry after this many ms; nothing was sent. */
  retryAfterMs?: number;
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
  /** The request was on the wire when the call ended (an abort, or an unanswered card update): it may have been delivered or applied. */
  readonly deliveryUnknown?: boolean;
  readonly retryAfterMs?: number;
  /** The upstream's own message (redacted), without our prefix. */
  readonly upstreamMessage: string;
  /** `message` without the hint, for hosts that show the hint in a field of its own. */
  readonly summary: string;

  constructor(init: NotifyErrorInit) {
    const prefix = `[${init.channel}${init.operation ? ` ${init.operation}` : ''}] ${init.code}`;
    const summary = `${prefix}: ${init.message}`;
    super(`${summary}${init.hint ? ` (hint: ${init.hint})` : ''}`);
    this.summary = summary;
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
    if (init.deliveryUnknown !== undefined) this.deliveryUnknown = init.deliveryUnknown;
    this.retryAfterMs = init.retryAfterMs;
    this.upstreamMessage = init.message;
  }

  withPartial(partial: SendResult): NotifyError {
    return new NotifyError({ ...this.toInit(), partial });
  }

  withRetryAfter(retryAfterMs: number): NotifyError {
    return new NotifyError({ ...this.toInit(), retryable: true, retryAfterMs: Math.max(0, Math.ceil(retryAfterMs)) });
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
      ...(this.deliveryUnknown !== undefined ? { deliveryUnknown: this.deliveryUnknown } : {}),
      ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}),
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

/** A send its AbortSignal ended (`ABORTED`); see `deliveryUnknown` and `partial` for what may have left. */
export function isAbortError(value: unknown): boolean {
  return value instanceof NotifyError && value.code === 'ABORTED';
}

/** An aborted send (or an unanswered card update, `UPDATE_OUTCOME_UNKNOWN`) that may have reached someone: a request was on the wire, or a part or batch was delivered. */
export function abortMayHaveArrived(error: NotifyError): boolean {
  const partial = error.partial;
  return error.deliveryUnknown === true || (partial !== undefined && (partial.parts > 0 || partial.messageIds.length > 0));
}

/** The error of a send its AbortSignal ended. `onWire`: a request of it may have reached the upstream. */
export function abortedError(channel: string, operation: string, onWire: boolean): NotifyError {
  return new NotifyError({
    channel,
    code: 'ABORTED',
    kind: 'aborted',
    retryable: false,
    operation,
    deliveryUnknown: onWire,
    message: onWire ? 'aborted while a request was on the wire: it may have been delivered' : 'aborted before the request was sent: nothing was delivered',
    hint: onWire
      ? '发送已中止（如应用关闭），请求已发出，可能已送达；重发前先确认。Aborted (e.g. shutdown) after the request left: check before sending again.'
      : '发送已中止（如应用关闭），未发出任何请求。Aborted (e.g. shutdown) before anything was sent.',
  });
}
