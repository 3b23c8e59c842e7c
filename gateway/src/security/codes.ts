import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 24 random bytes = 192 bits from the CSPRNG, base64url (32 characters). */
const CODE_BYTES = 24;
const CODE_SHAPE = /^[A-Za-z0-9_-]{16,128}$/;

/** A new config Code: a capability secret that is shown once and stored only as its hash. */
export function newCode(): string {
  return randomBytes(CODE_BYTES).toString('base64url');
}

/** SHA-256 hex of a capability secret (Codes, API keys): what the store keeps instead of the secret. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Cheap shape check before any lookup, so junk never reaches the store. */
export function looksLikeCode(value: string): boolean {
  return CODE_SHAPE.test(value);
}

/** Constant-time comparison of two hex digests of equal length. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

/** The part of a Code that may be shown in lists and logs (never enough to use it). */
export function codeHint(code: string): string {
  return `${code.slice(0, 4)}…`;
}
