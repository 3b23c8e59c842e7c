import type { GatewayRuntime } from '../runtime.js';
import type { CodeRecord } from '../store/store.js';
import { ApiError } from './api-error.js';

const UNKNOWN_CODES_PER_MINUTE = 120;

/**
 * One request against a Code's rate limit (its own, or WXNOTIFY_CODE_RATE_LIMIT): sends, checks and
 * the admin test-send share the bucket, so none of them is a way around it. 429 + Retry-After when spent.
 */
export async function takeCodeSlot(rt: GatewayRuntime, record: CodeRecord): Promise<void> {
  const decision = await rt.limiter.take(`code:${record.id}`, record.rateLimitPerMinute ?? rt.config.codeRatePerMinute, rt.config.codeRateWindowMs);
  if (decision.allowed) return;
  rt.metrics.inc('wxnotify_rate_limited_total', { scope: 'code' });
  throw ApiError.of(429, 'RATE_LIMITED', `Too many messages for this Code; retry in ${decision.retryAfterSeconds} s.`, { retryAfterSeconds: decision.retryAfterSeconds }, { 'Retry-After': String(decision.retryAfterSeconds) });
}

/** Unknown Codes per client IP: guessing 192-bit Codes is hopeless anyway, but it is not free either. */
export async function limitUnknownCodes(rt: GatewayRuntime, ip: string): Promise<void> {
  const decision = await rt.limiter.take(`code-miss:${ip}`, UNKNOWN_CODES_PER_MINUTE);
  if (decision.allowed) return;
  rt.metrics.inc('wxnotify_rate_limited_total', { scope: 'unknown-code' });
  throw ApiError.of(429, 'RATE_LIMITED', 'Too many requests with unknown Codes from this address.', { retryAfterSeconds: decision.retryAfterSeconds }, { 'Retry-After': String(decision.retryAfterSeconds) });
}
