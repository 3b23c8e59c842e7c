import { outcomeFromTable, unexpectedResponse, type ErrorRule, type ErrorTable } from '../../engine/error-table';
import { asRecord, tryParseJson } from '../../engine/json';
import type { Outcome, Pipeline } from '../../engine/pipeline';
import type { HttpResponse } from '../../transport/transport';

const BAD_TOKEN: ErrorRule = {
  action: 'fail',
  hint: 'The server rejected the token: check the token (X-GEWE-TOKEN header) or get a new one with /tools/getTokenId.',
};
const OFFLINE: ErrorRule = {
  action: 'fail',
  hint: 'The WeChat account behind appId is not logged in: scan the login QR code on the gewechat server again (/login/getLoginQrCode with this appId), then resend.',
};
const BAD_APP_ID: ErrorRule = {
  action: 'fail',
  hint: 'The server does not know this appId: use the appId returned by /login/getLoginQrCode for the logged-in account.',
};

/** Codes seen from gewechat servers: `ret` values and the nested `data.code`. */
export const gewechatErrorTable: ErrorTable = {
  '401': BAD_TOKEN,
  '403': BAD_TOKEN,
  '404': {
    action: 'fail',
    hint: 'The server does not offer this path: baseUrl must be the API root (e.g. http://host:2531/v2/api) of a server that keeps the gewechat API.',
  },
  '-4': { action: 'fail', hint: 'The recipient does not exist: check the wxid (fetch the contact list to find valid ids).' },
};

/** Messages that identify a failure when the code alone is generic (`ret: 500`). */
const MESSAGE_RULES: Array<[RegExp, ErrorRule]> = [
  [/未登录|不在线|离线|掉线|登录失效|offline|not logged in/i, OFFLINE],
  [/token/i, BAD_TOKEN],
  [/appid|设备不存在/i, BAD_APP_ID],
];

const FALLBACK: ErrorRule = { action: 'fail', hint: 'The gewechat server refused the request; see its message.' };

function ruleFor(code: string, message: string): ErrorRule {
  return gewechatErrorTable[code] ?? MESSAGE_RULES.find(([re]) => re.test(message))?.[1] ?? FALLBACK;
}

interface Envelope {
  ret?: unknown;
  msg?: unknown;
  data?: unknown;
}

function codeOf(value: unknown): number | string {
  const n = Number(value);
  return typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && Number.isSafeInteger(n)) ? n : String(value);
}

/**
 * Classifies a gewechat answer: `{ret:200, data}` is success (parsed losslessly, 64-bit ids stay
 * exact); any other `ret` is a failure described by the nested `data.code/msg` when present.
 */
export function parseGewechatResponse(pipeline: Pipeline, operation: string, res: HttpResponse): Outcome<unknown> {
  const body: Envelope | undefined = asRecord(tryParseJson(res.text, true));
  if (!body || body.ret === undefined) {
    if (res.status === 401 || res.status === 403) return failure(pipeline, operation, res.status, `HTTP ${res.status}`, res.status);
    const http = pipeline.httpStatusOutcome<unknown>(operation, res);
    if (http) return http;
    return unexpectedResponse(
      pipeline,
      'gewechat',
      operation,
      res,
      'The server did not answer with a gewechat envelope ({ret, msg, data}); check that baseUrl is the API root, e.g. http://host:2531/v2/api.',
    );
  }
  if (Number(body.ret) === 200) return { kind: 'ok', value: body.data };
  const data = asRecord(body.data);
  const code = data?.code !== undefined && data.code !== null && data.code !== '' ? codeOf(data.code) : codeOf(body.ret);
  const parts = [body.msg, data?.msg].filter((p): p is string => typeof p === 'string' && p !== '');
  return failure(pipeline, operation, code, parts.join(': ') || `ret ${String(body.ret)}`, res.status);
}

function failure(pipeline: Pipeline, operation: string, code: number | string, message: string, status: number): Outcome<unknown> {
  const redacted = pipeline.redact(message);
  return outcomeFromTable({}, { channel: 'gewechat', operation, code, message: redacted, status }, ruleFor(String(code), redacted));
}
