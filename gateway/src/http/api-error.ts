import { isNotifyError, type NotifyError } from '@wxnotify/core';

/** An HTTP error whose JSON body is ready to send. Thrown by controllers and guards. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.message ?? `HTTP ${status}`));
  }

  static of(status: number, code: string, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): ApiError {
    return new ApiError(status, { success: false, code, message, ...extra }, headers);
  }
}

/**
 * HTTP status for a failed send: bad input 400, throttled 429, upstream said no 502, upstream
 * unreachable 503/504. Never 500 for something the caller or the upstream did.
 */
export function statusForNotifyError(error: NotifyError): number {
  if (error.kind === 'validation') return 400;
  if (error.retryAfterMs !== undefined) return 429;
  if (error.kind === 'network') return 504;
  if (/未登录|not logged in|offline/i.test(error.upstreamMessage)) return 503;
  if (error.retryable && /rate|limit|频率/i.test(`${error.code} ${error.upstreamMessage}`)) return 429;
  return error.retryable ? 503 : 502;
}

/** The safe, redacted description of a send failure for response bodies. */
export function describeSendError(error: unknown): { code: string | number; message: string; hint?: string; channel?: string; retryable?: boolean; retryAfterSeconds?: number } {
  if (isNotifyError(error)) {
    const retryAfterSeconds = retryAfterSecondsOf(error);
    return { code: error.code, message: error.upstreamMessage, hint: error.hint, channel: error.channel, retryable: error.retryable, ...(retryAfterSeconds ? { retryAfterSeconds } : {}) };
  }
  return { code: 'INTERNAL', message: 'Internal error while sending (see the gateway log).' };
}

function retryAfterSecondsOf(error: unknown): number | undefined {
  return isNotifyError(error) && error.retryAfterMs !== undefined ? Math.max(1, Math.ceil(error.retryAfterMs / 1000)) : undefined;
}

/** `Retry-After` for a send that was refused because an upstream window was still open (nothing sent). */
export function retryAfterHeader(error: unknown): Record<string, string> {
  const seconds = retryAfterSecondsOf(error);
  return seconds ? { 'Retry-After': String(seconds) } : {};
}

/** A failed send as an HTTP error: status, redacted description, and `Retry-After` when there is one. */
export function sendFailure(error: unknown): ApiError {
  const status = isNotifyError(error) ? statusForNotifyError(error) : 500;
  return new ApiError(status, { success: false, ...describeSendError(error) }, retryAfterHeader(error));
}
