import { outcomeFromTable, type ErrorRule, type ErrorTable } from '../../engine/error-table';
import { isRecord, tryParseJson } from '../../engine/json';
import type { Outcome, Pipeline } from '../../engine/pipeline';
import { NotifyError } from '../../model/notify-error';
import type { HttpResponse } from '../../transport/transport';

/** Every qyapi.weixin.qq.com answer: HTTP 200 + `errcode` (0 = ok), plus call-specific fields. */
export interface WeComBody {
  errcode?: number;
  errmsg?: string;
  [field: string]: unknown;
}

const FROM_IP = /from ip:\s*([0-9A-Fa-f.:]+)/;

/** Codes we have no row for: fail, pointing at WeCom's own error lookup. */
const unknownWeComCode: ErrorRule = {
  action: 'fail',
  hint: 'Look the code up at https://open.work.weixin.qq.com/devtool/query?e={code}',
};

/**
 * Classifies one WeCom answer (app or robot): non-2xx → retry/fail by status, non-JSON → fail,
 * `errcode != 0` → the channel's error table. Hints may use `{fromIp}` and `{code}`.
 */
export function weComOutcome(pipeline: Pipeline, operation: string, res: HttpResponse, table: ErrorTable): Outcome<WeComBody> {
  const byStatus = pipeline.httpStatusOutcome<WeComBody>(operation, res);
  if (byStatus) return byStatus;
  const body = tryParseJson(res.text);
  if (!isRecord(body)) {
    return {
      kind: 'fail',
      error: new NotifyError({
        channel: pipeline.channel,
        code: 'BAD_RESPONSE',
        kind: 'http',
        retryable: false,
        status: res.status,
        operation,
        message: pipeline.redact(`answer is not a JSON object: ${res.text.slice(0, 120)}`),
        hint: 'The baseUrl did not answer like WeCom; check the baseUrl and any proxy in front of it.',
      }),
    };
  }
  const reply = body as WeComBody;
  const code = typeof reply.errcode === 'number' ? reply.errcode : Number(reply.errcode ?? 0);
  if (code === 0) return { kind: 'ok', value: reply };
  const errmsg = typeof reply.errmsg === 'string' ? reply.errmsg : '';
  const fromIp = FROM_IP.exec(errmsg)?.[1];
  const rule = table[String(code)] ?? unknownWeComCode;
  const hint = rule.hint.replace('{fromIp}', fromIp ?? "this server's egress IP").replace('{code}', String(code));
  return outcomeFromTable<WeComBody>(
    { [String(code)]: { action: rule.action, hint } },
    { channel: pipeline.channel, operation, code, message: pipeline.redact(errmsg || `errcode ${code}`), status: res.status, fromIp },
    unknownWeComCode,
  );
}

/** `"a|b|c"` (or absent / empty) → `['a','b','c']`. */
export function splitBar(value: unknown): string[] {
  if (typeof value !== 'string' || value === '') return [];
  return value.split('|').filter((v) => v !== '');
}
