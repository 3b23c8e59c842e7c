import type { Request } from 'express';
import type { GatewayRuntime } from '../runtime.js';
import { ApiError } from './api-error.js';

/** Attempts per client address per minute. */
export const LOGIN_ATTEMPTS_PER_IP = 10;
/**
 * Attempts on the admin account per minute, from all addresses together: guesses spread over many
 * addresses (or many replicas) stay bounded too. The CLI and API keys still work while it is spent.
 */
export const LOGIN_ATTEMPTS_PER_ACCOUNT = 30;

/**
 * Counts a login attempt against both limits (shared by every replica on Postgres). The address is
 * Express's `req.ip`: behind a reverse proxy, set WXNOTIFY_TRUST_PROXY so that it is the client's.
 */
export async function limitLogin(rt: GatewayRuntime, req: Request): Promise<void> {
  for (const [key, limit] of [
    [`login-ip:${req.ip}`, LOGIN_ATTEMPTS_PER_IP],
    ['login-account:admin', LOGIN_ATTEMPTS_PER_ACCOUNT],
  ] as const) {
    const decision = await rt.limiter.take(key, limit);
    if (decision.allowed) continue;
    rt.metrics.inc('wxnotify_rate_limited_total', { scope: 'login' });
    throw ApiError.of(429, 'RATE_LIMITED', 'Too many login attempts; retry later.', { retryAfterSeconds: decision.retryAfterSeconds }, { 'Retry-After': String(decision.retryAfterSeconds) });
  }
}

/** `Secure` when the page is reached over TLS: directly, through a trusted proxy (X-Forwarded-Proto), or per WXNOTIFY_PUBLIC_URL. */
export function secureCookie(rt: GatewayRuntime, req: Request): boolean {
  return req.secure || rt.config.publicUrl?.startsWith('https://') === true;
}
