import { NotifyError } from '../model/notify-error';
import type { Outcome } from './pipeline';

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
