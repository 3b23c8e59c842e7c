import { outcomeFromTable, unexpectedResponse, type ErrorRule, type ErrorTable } from '../../engine/error-table';
import { asRecord, tryParseJson } from '../../engine/json';
import type { Outcome, Pipeline } from '../../engine/pipeline';
import { NotifyError } from '../../model/notify-error';
import type { HttpResponse } from '../../transport/transport';

/**
 * Hook error codes (`error_code`, `baseResponse.ret`, `list[0].ret`) and gateway HTTP statuses.
 * Codes not listed keep their number and the upstream message.
 */
export const weComHookErrorTable: ErrorTable = {
  '-2003': {
    action: 'fail',
    hint: 'Parameter error, usually a conversation_id without the S:/R: prefix: use S:<user id> for private chats and R:<room id> for groups.',
  },
  '-4017': {
    action: 'fail',
    hint: 'The recipient does not accept messages from external contacts (对方无外部联系人权限): ask them to add this account as a contact, or send to another conversation.',
  },
  SVR_FAIL: {
    action: 'fail',
    hint: 'The WeCom server did not accept the message (is_svr_fail): check that the account is online, then resend.',
  },
  // Gateway (`/open/GuidRequest`) HTTP statuses.
  '401': { action: 'fail', hint: 'The gateway rejected app_key/app_secret: copy both again from the vendor console.' },
  '404': { action: 'fail', hint: 'Unknown path: check baseUrl and the mode (direct instance vs vendor gateway).' },
  '422': { action: 'fail', hint: 'The gateway rejected the request body: check guid and the message fields.' },
  '429': { action: 'rate-limited', hint: 'The gateway throttled the calls; they were paced and retried. Lower concurrency if it persists.' },
  '500': { action: 'retry', hint: 'The gateway or the instance failed; the call was retried. Check the instance if it persists.' },
  '502': { action: 'retry', hint: 'The gateway could not reach the instance; the call was retried.' },
  '503': { action: 'retry', hint: 'The gateway is unavailable; the call was retried.' },
};

const FALLBACK: ErrorRule = { action: 'fail', hint: 'The hook refused the request; see its error message and check the instance (client status 2 = online).' };

/** Errors that concern the whole instance or credentials, not one conversation: a batch stops on them. */
export function isInstanceWideError(error: NotifyError): boolean {
  if (error.kind === 'network' || error.kind === 'validation') return true;
  return error.kind === 'http' && [401, 403, 404, 422].includes(error.status ?? 0);
}

function numericCode(value: unknown): number | string {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : String(value);
}

/** Reads the status of any of the three envelopes the hook uses: `{code, message}` or undefined when ok. */
function envelopeStatus(body: Record<string, unknown>): { code: number | string; message: string } | undefined {
  if (body.error_code !== undefined && body.error_code !== null) {
    const code = numericCode(body.error_code);
    return code === 0 ? undefined : { code, message: String(body.error_message ?? body.errmsg ?? '') };
  }
  const base = asRecord(body.baseResponse) ?? asRecord(body.base_response);
  if (base && base.ret !== undefined) {
    const code = numericCode(base.ret);
    return code === 0 ? undefined : { code, message: String(base.errMsg ?? base.err_msg ?? '') };
  }
  const first = Array.isArray(body.list) ? asRecord(body.list[0]) : undefined;
  if (first && first.ret !== undefined) {
    const code = numericCode(first.ret);
    return code === 0 ? undefined : { code, message: String(first.errMsg ?? first.err_msg ?? '') };
  }
  return undefined;
}

function gatewayHttpMessage(res: HttpResponse, body: Record<string, unknown> | undefined): string {
  const detail = body?.detail ?? body?.message ?? body?.error_message ?? body?.msg;
  const text = typeof detail === 'string' ? detail : detail !== undefined ? JSON.stringify(detail) : res.text.slice(0, 200);
  return `HTTP ${res.status}${text ? `: ${text}` : ''}`;
}

/**
 * Classifies a hook answer. The body is parsed losslessly; ok returns the whole envelope so callers
 * can read `data` or the envelope's own fields (`all_clients` answers `{data:[…]}` only).
 */
export function parseWeComHookResponse(pipeline: Pipeline, operation: string, res: HttpResponse): Outcome<Record<string, unknown>> {
  const body = asRecord(tryParseJson(res.text, true));
  if (res.status < 200 || res.status >= 300) {
    const status = body ? envelopeStatus(body) : undefined;
    if (status) return fromTable(pipeline, operation, status.code, status.message, res.status, 'upstream');
    const outcome = fromTable<Record<string, unknown>>(pipeline, operation, res.status, gatewayHttpMessage(res, body), res.status, 'http');
    const retryAfter = Number(res.headers['retry-after']);
    return outcome.kind === 'rate-limited' && Number.isFinite(retryAfter) && retryAfter >= 0 ? { ...outcome, waitMs: retryAfter * 1000 } : outcome;
  }
  if (!body) {
    return unexpectedResponse(pipeline, 'wecom-hook', operation, res, 'The server did not answer with JSON: check baseUrl and mode (direct instance vs vendor gateway).');
  }
  const status = envelopeStatus(body);
  if (status) return fromTable(pipeline, operation, status.code, status.message, res.status, 'upstream');
  return { kind: 'ok', value: body };
}

export function fromTable<T>(pipeline: Pipeline, operation: string, code: number | string, message: string, status: number, kind: 'upstream' | 'http'): Outcome<T> {
  const rule = weComHookErrorTable[String(code)] ?? (kind === 'http' && status >= 500 ? weComHookErrorTable['500'] : FALLBACK);
  const outcome = outcomeFromTable<T>({}, { channel: 'wecom-hook', operation, code, message: pipeline.redact(message) || `code ${code}`, status }, rule);
  if (kind === 'http' && outcome.kind !== 'ok') {
    // Keep the kind right for HTTP-level failures (gateway statuses).
    const e = outcome.error;
    const error = new NotifyError({ channel: e.channel, code: e.code, kind: 'http', retryable: e.retryable, message: e.upstreamMessage, hint: e.hint, status, operation });
    return { ...outcome, error } as Outcome<T>;
  }
  return outcome;
}
