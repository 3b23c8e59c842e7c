import { idToString, tryParseJson } from '../../engine/json';
import type { Outcome, Pipeline } from '../../engine/pipeline';
import { NotifyError } from '../../model/notify-error';
import type { HttpResponse } from '../../transport/transport';

export type GatewayRoute = 'wxid' | 'code';

/** What one successful gateway call returned. */
export interface GatewayDelivery {
  messageId?: string;
  /** The gateway's own message, e.g. `消息发送成功`. */
  message?: string;
  /** `data` (wxid route) or `response` (code route) as the gateway sent it, 64-bit ids as strings. */
  raw?: unknown;
}

interface GatewayBody {
  success?: boolean;
  message?: unknown;
  error?: unknown;
  detail?: unknown;
  data?: { newMsgId?: unknown; msgId?: unknown } | null;
  response?: { errcode?: unknown; errmsg?: unknown; msgid?: unknown } | null;
}

const HINTS = {
  400: 'The gateway rejected the request as invalid: content (and wxid) are required.',
  401: 'The gateway refused the apiKey: set apiKey to a key the gateway accepts.',
  404: {
    code: 'The gateway knows no configuration with this code: check the code (it is case-sensitive) or create the configuration again.',
    wxid: 'The gateway has no /api/notify endpoint: check baseUrl.',
  },
  429: 'The gateway is throttling; the call waited and was retried.',
  500: 'The gateway failed or its upstream (WeChat / WeCom) did; retried, see the message.',
  loggedOut: "The gateway's WeChat client is not logged in: log it in again (see the gateway's /health).",
  refused: 'The gateway could not deliver the message; see the message and the gateway /health.',
};

/**
 * Maps the documented gateway answers onto outcomes:
 * `POST /api/notify` → `{success, message, data:{newMsgId, msgId}}`;
 * `POST /api/notify/{code}` → `{message, response:{errcode, errmsg, msgid}}` with 200/400/404/500.
 */
export function classifyGateway(pipeline: Pipeline, route: GatewayRoute, operation: string, res: HttpResponse): Outcome<GatewayDelivery> {
  const parsed = tryParseJson(res.text, true);
  const body: GatewayBody | undefined = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as GatewayBody) : undefined;
  const ok2xx = res.status >= 200 && res.status < 300;
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const upstreamMessage = body ? (text(body.message) ?? text(body.error) ?? text(body.detail) ?? text(body.response?.errmsg)) : undefined;

  const error = (code: number | string, retryable: boolean, hint: string, kind: 'upstream' | 'http' = 'upstream'): NotifyError =>
    new NotifyError({
      channel: 'gateway',
      code,
      kind,
      retryable,
      status: res.status,
      operation,
      message: pipeline.redact(upstreamMessage ?? (`HTTP ${res.status}${res.text ? `: ${res.text.slice(0, 200)}` : ''}`)),
      hint,
    });

  if (ok2xx && body) {
    const errcode = body.response?.errcode;
    const rejected = body.success === false || (errcode !== undefined && errcode !== null && Number(errcode) !== 0);
    if (!rejected) {
      const messageId = route === 'wxid' ? (idToString(body.data?.newMsgId) ?? idToString(body.data?.msgId)) : idToString(body.response?.msgid);
      return { kind: 'ok', value: { messageId, message: text(body.message), raw: route === 'wxid' ? body.data : body.response } };
    }
    const loggedOut = /未登录|not logged in/i.test(upstreamMessage ?? '');
    return { kind: 'fail', error: error(errcode !== undefined && errcode !== null ? Number(errcode) : 'SEND_FAILED', false, loggedOut ? HINTS.loggedOut : HINTS.refused) };
  }
  if (ok2xx) {
    return { kind: 'fail', error: error('INVALID_RESPONSE', false, 'The answer is not gateway JSON: check that baseUrl points at a wxnotify-compatible gateway.', 'http') };
  }

  const kind = body ? 'upstream' : 'http';
  switch (true) {
    case res.status === 400:
      return { kind: 'fail', error: error(400, false, HINTS[400], kind) };
    case res.status === 401 || res.status === 403:
      return { kind: 'fail', error: error(res.status, false, HINTS[401], kind) };
    case res.status === 404:
      return { kind: 'fail', error: error(404, false, HINTS[404][route], kind) };
    case res.status === 429: {
      const seconds = Number(res.headers['retry-after']);
      return { kind: 'rate-limited', error: error(429, true, HINTS[429], kind), waitMs: Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined };
    }
    case res.status >= 500 && /未登录|not logged in/i.test(upstreamMessage ?? ''):
      return { kind: 'fail', error: error(res.status, false, HINTS.loggedOut, kind) };
    case res.status >= 500 || res.status === 408:
      return { kind: 'retry', error: error(res.status, true, HINTS[500], kind) };
    default:
      return { kind: 'fail', error: error(res.status, false, 'Unexpected gateway status; check baseUrl and the gateway logs.', kind) };
  }
}
