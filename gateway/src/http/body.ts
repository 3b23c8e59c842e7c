import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import express, { type Request, type RequestHandler } from 'express';
import { ApiError } from './api-error.js';

export const CALLBACK_PATH = 'callbacks';

/** Deeper JSON is refused: no message needs it, and recursive code downstream must not blow the stack. */
export const MAX_JSON_DEPTH = 32;

type BodyRequest = Request & { bodyError?: ApiError };

/** Nesting depth of a parsed JSON value (iterative: the value may be far deeper than the stack). */
export function jsonDepth(value: unknown, stopAt = Infinity): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > stopAt) return deepest;
    for (const child of Object.values(node as Record<string, unknown>)) stack.push([child, depth + 1]);
  }
  return deepest;
}

const JSON_TYPE = /^application\/([\w.+-]*\+)?json\b/i;

/** What a body-parser failure means for the caller, as a JSON 4xx. */
function bodyError(err: { type?: string; status?: number; limit?: number }, contentType: string | undefined): ApiError {
  if (err.type === 'entity.too.large') return ApiError.of(413, 'BODY_TOO_LARGE', `The request body is larger than ${err.limit} bytes.`);
  if (err.type === 'entity.parse.failed') {
    if (contentType && !JSON_TYPE.test(contentType)) {
      const given = contentType.split(';')[0]!.trim().slice(0, 100);
      return ApiError.of(415, 'UNSUPPORTED_CONTENT_TYPE', `The body must be JSON sent with "Content-Type: application/json" (this request sent "${given}").`, { expected: 'application/json' });
    }
    return ApiError.of(400, 'INVALID_JSON', 'The request body is not valid JSON (send it with "Content-Type: application/json").');
  }
  if (err.type === 'encoding.unsupported' || err.type === 'charset.unsupported') return ApiError.of(415, 'UNSUPPORTED_ENCODING', 'Send the body as UTF-8 JSON.');
  const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 400;
  return ApiError.of(status, 'BAD_REQUEST', 'The request body could not be read.');
}

/**
 * JSON bodies up to `limit` bytes and `MAX_JSON_DEPTH` levels, whatever the Content-Type says
 * (curl -d sends form encoding). A bad body is not answered here but after routing (see
 * BodyErrorGuard), so that it is counted under its route and an unknown route stays a 404.
 * Callback routes are left unread: the callback controller reads the raw text itself (WeCom sends
 * XML; gewechat's 64-bit ids must not go through JSON.parse).
 */
export function jsonBody(limit: number): RequestHandler {
  const parse = express.json({ limit, strict: false, type: () => true });
  return (req: BodyRequest, res, next) => {
    if (req.path.startsWith(`/${CALLBACK_PATH}/`)) return next();
    parse(req, res, (err?: unknown) => {
      const e = err as { type?: string; status?: number; limit?: number } | undefined;
      if (e && typeof e === 'object' && (e.type || e.status)) {
        req.bodyError = bodyError(e, req.headers['content-type']);
      } else if (err) {
        return next(err);
      } else if (jsonDepth(req.body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
        req.bodyError = ApiError.of(400, 'TOO_DEEP', `The JSON body is nested more than ${MAX_JSON_DEPTH} levels deep.`, { limit: MAX_JSON_DEPTH });
        req.body = undefined;
      }
      next();
    });
  };
}

/** Answers the body error jsonBody found, once the route is known (global guard: runs before auth). */
@Injectable()
export class BodyErrorGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const error = context.switchToHttp().getRequest<BodyRequest>().bodyError;
    if (error) throw error;
    return true;
  }
}
