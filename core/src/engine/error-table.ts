import { NotifyError } from '../model/notify-error';
import type { HttpResponse } from '../transport/transport';
import type { Outcome, Pipeline } from './pipeline';

/** What to do when an upstream answers with a given code. */
export type ErrorAction = 'refresh-token' | 'retry' | 'rate-limited' | 'fail';

export interface ErrorRule {
  action: ErrorAction;
  /** Short, actionable advice for the user. */
  hint: string;
}

export type ErrorTable = Readonly<Record<string, ErrorRule>>;

export interface UpstreamFailure {
  channel: string;
  operation: string;
  code: number | string;
  message: string;
  status?: number;
  fromIp?: string;
}

/** Turns an upstream error code into a pipeline outcome, using the channel's table. */
export function outcomeFromTable<T>(table: ErrorTable, failure: UpstreamFailure, fallback: ErrorRule): Outcome<T> {
  const rule = table[String(failure.code)] ?? fallback;
  const error = new NotifyError({
    channel: failure.channel,
    code: failure.code,
    kind: 'upstream',
    retryable: rule.action !== 'fail',
    message: failure.message,
    hint: rule.hint,
    status: failure.status,
    operation: failure.operation,
    fromIp: failure.fromIp,
  });
  switch (rule.action) {
    case 'refresh-token':
      return { kind: 'refresh-token', error };
    case 'retry':
      return { kind: 'retry', error };
    case 'rate-limited':
      return { kind: 'rate-limited', error };
    default:
      return { kind: 'fail', error };
  }
}

/** A 2xx answer that is not the upstream's JSON envelope: a final upstream failure with the (redacted) start of the body. */
export function unexpectedResponse<T>(pipeline: Pipeline, channel: string, operation: string, res: HttpResponse, hint: string): Outcome<T> {
  return {
    kind: 'fail',
    error: new NotifyError({
      channel,
      code: 'INVALID_RESPONSE',
      kind: 'upstream',
      retryable: false,
      operation,
      status: res.status,
      message: pipeline.redact(`unexpected response: ${res.text.slice(0, 200)}`),
      hint,
    }),
  };
}
