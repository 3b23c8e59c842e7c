import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { GatewayLogger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Request id (kept from `X-Request-Id` when sane), security headers, one access log line, HTTP metrics. */
export function requestContext(logger: GatewayLogger, metrics: Metrics): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', id);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Content-Security-Policy', "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? (res.statusCode === 404 ? 'unmatched' : 'static');
      metrics.inc('wxnotify_http_requests_total', { route: String(route), status: String(res.statusCode) });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info('request', { requestId: id, method: req.method, path: req.originalUrl, status: res.statusCode, ms: Math.round(ms * 10) / 10 });
    });
    next();
  };
}

/**
 * JSON bodies up to `limit` bytes, whatever the Content-Type says (curl -d sends form encoding).
 * Callback routes are left unread: the callback controller reads the raw text itself (WeCom sends
 * XML; gewechat's 64-bit ids must not go through JSON.parse).
 */
export function jsonBody(limit: number): RequestHandler {
  const parse = express.json({ limit, strict: false, type: () => true });
  return (req, res, next) => (req.path.startsWith(`/${CALLBACK_PATH}/`) ? next() : parse(req, res, next));
}

export const CALLBACK_PATH = 'callbacks';

/** Body-parser failures as JSON 4xx instead of Express's HTML error page. */
export function bodyErrors(): (err: unknown, req: Request, res: Response, next: NextFunction) => void {
  return (err, _req, res, next) => {
    const e = err as { type?: string; status?: number; limit?: number };
    if (!e || typeof e !== 'object' || (!e.type && !e.status)) return next(err);
    const [status, code, message] =
      e.type === 'entity.too.large'
        ? [413, 'BODY_TOO_LARGE', `The request body is larger than ${e.limit} bytes.`]
        : e.type === 'entity.parse.failed'
          ? [400, 'INVALID_JSON', 'The request body is not valid JSON.']
          : e.type === 'encoding.unsupported' || e.type === 'charset.unsupported'
            ? [415, 'UNSUPPORTED_ENCODING', 'Send the body as UTF-8 JSON.']
            : [e.status && e.status >= 400 && e.status < 500 ? e.status : 400, 'BAD_REQUEST', 'The request body could not be read.'];
    res.status(status).json({ success: false, code, message });
  };
}
