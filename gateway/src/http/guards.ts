import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { GatewayRuntime } from '../runtime.js';
import { presentedApiKey } from '../services/api-keys.js';
import { sessionFromCookie } from '../services/admin-auth.js';
import { ApiError } from './api-error.js';

export type AuthedRequest = Request & { apiKeyId?: string; adminSession?: string };

function unauthorized(presented: boolean): ApiError {
  return presented
    ? ApiError.of(401, 'INVALID_API_KEY', 'The API key was rejected: it is unknown or revoked.', {}, { 'WWW-Authenticate': 'Bearer' })
    : ApiError.of(401, 'UNAUTHORIZED', 'An API key is required: send "Authorization: Bearer <key>" or "X-API-Key: <key>".', {}, { 'WWW-Authenticate': 'Bearer' });
}

/** Send routes: a valid API key, and at most `apiKeyRatePerMinute` requests per key. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(@Inject(GatewayRuntime) private readonly rt: GatewayRuntime) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    const presented = presentedApiKey(req.headers);
    const identity = await this.rt.apiKeys.verify(presented);
    if (!identity) throw unauthorized(presented !== undefined && presented !== '');
    const decision = await this.rt.limiter.take(`key:${identity.id}`, this.rt.config.apiKeyRatePerMinute);
    if (!decision.allowed) {
      this.rt.metrics.inc('wxnotify_rate_limited_total', { scope: 'api-key' });
      throw ApiError.of(429, 'RATE_LIMITED', 'Too many requests for this API key.', { retryAfterSeconds: decision.retryAfterSeconds }, { 'Retry-After': String(decision.retryAfterSeconds) });
    }
    req.apiKeyId = identity.id;
    return true;
  }
}

/** `POST /api/notify` (seed 000): an API key unless WXNOTIFY_NOTIFY_AUTH=none. */
@Injectable()
export class NotifyAuthGuard implements CanActivate {
  private readonly apiKey: ApiKeyGuard;

  constructor(@Inject(GatewayRuntime) private readonly rt: GatewayRuntime) {
    this.apiKey = new ApiKeyGuard(rt);
  }

  canActivate(context: ExecutionContext): Promise<boolean> | boolean {
    return this.rt.config.notifyAuth === 'none' ? true : this.apiKey.canActivate(context);
  }
}

/**
 * Admin API: a page session (cookie) or an API key (the CLI). Changes made with a cookie also
 * need the `X-Wxnotify-Admin` header, which a cross-site form cannot send.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(@Inject(GatewayRuntime) private readonly rt: GatewayRuntime) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    const session = sessionFromCookie(req.headers.cookie);
    if (await this.rt.admin.isValid(session)) {
      if (req.method !== 'GET' && req.headers['x-wxnotify-admin'] !== '1') {
        throw ApiError.of(403, 'CSRF', 'Admin changes need the X-Wxnotify-Admin: 1 header.');
      }
      req.adminSession = session;
      return true;
    }
    const key = presentedApiKey(req.headers);
    if (!key) throw ApiError.of(401, 'UNAUTHORIZED', 'Log in on the admin page, or send an admin API key.');
    const identity = await this.rt.apiKeys.verify(key);
    if (!identity) throw ApiError.of(401, 'INVALID_API_KEY', 'The API key was rejected: it is unknown or revoked.', {}, { 'WWW-Authenticate': 'Bearer' });
    if (identity.scope !== 'admin') {
      throw ApiError.of(403, 'FORBIDDEN_SCOPE', 'This API key has the "send" scope: the admin API needs a key with the "admin" scope (or a page login).');
    }
    req.apiKeyId = identity.id;
    return true;
  }
}
