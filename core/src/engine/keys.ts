import { createHash } from 'node:crypto';

/**
 * A short sha256 hex digest of a secret, for limiter and token-cache keys: two secrets stay apart
 * without the raw secret ever being kept in a key.
 */
export function secretKeyHash(secret: string, length: number): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, length);
}
