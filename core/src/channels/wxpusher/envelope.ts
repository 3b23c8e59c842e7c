import { outcomeFromTable } from '../../engine/error-table';
import { tryParseJson } from '../../engine/json';
import type { Outcome, Pipeline } from '../../engine/pipeline';
import { NotifyError } from '../../model/notify-error';
import type { HttpResponse } from '../../transport/transport';
import { looksRateLimited, wxPusherErrorTable, wxPusherUnknownCode } from './errors';
import { wxPusherLimits, WXPUSHER_SUCCESS } from './limits';

/** Every WxPusher answer: `{code, msg, data, success}`. */
export interface WxPusherEnvelope {
  code: number;
  msg?: string;
  data?: unknown;
  success?: boolean;
}

function isEnvelope(value: unknown): value is WxPusherEnvelope {
  return typeof value === 'object' && value !== null && typeof (value as WxPusherEnvelope).code === 'number';
}

/** Classifies one WxPusher answer: `code` 1000 is the only success, whatever the HTTP status. */
export function classifyWxPusher(pipeline: Pipeline, operation: string, res: HttpResponse): Outcome<unknown> {
  const body = tryParseJson(res.text, true);
  if (!isEnvelope(body)) {
    const http = pipeline.httpStatusOutcome<unknown>(operation, res);
    if (http) return http;
    return {
      kind: 'fail',
      error: new NotifyError({
        channel: 'wxpusher',
        code: 'INVALID_RESPONSE',
        kind: 'http',
        retryable: false,
        status: res.status,
        operation,
        message: redactSpts(pipeline.redact(`not a WxPusher answer: ${res.text.slice(0, 200)}`)),
        hint: 'baseUrl does not point at WxPusher (or a proxy answered instead); check baseUrl.',
      }),
    };
  }
  if (body.code === WXPUSHER_SUCCESS) return { kind: 'ok', value: body.data };
  const message = redactSpts(pipeline.redact(body.msg ?? `code ${body.code}`));
  if (looksRateLimited(message)) {
    const error = new NotifyError({
      channel: 'wxpusher',
      code: body.code,
      kind: 'upstream',
      retryable: true,
      status: res.status,
      operation,
      message,
      hint: 'WxPusher allows about 20 calls per 10 s per app; the call waited and was retried. Ask WxPusher to raise the limit and set rateLimit if you need more.',
    });
    return { kind: 'rate-limited', error, waitMs: wxPusherLimits.windowMs };
  }
  return outcomeFromTable(wxPusherErrorTable, { channel: 'wxpusher', operation, code: body.code, message, status: res.status }, wxPusherUnknownCode);
}

/** SPTs named per notification are not in the pipeline's secret list: mask any that an answer echoes. */
function redactSpts(text: string): string {
  return text.replace(/SPT_[A-Za-z0-9_-]+/g, 'SPT_***');
}
