import { createHash } from 'node:crypto';

/**
 * A stable 16-hex-digit fingerprint of a label set, for senders that give none (plain JSON):
 * the same labels always give the same fingerprint, whatever their order.
 */
export function fingerprintFromLabels(labels: Readonly<Record<string, string>>): string {
  const hash = createHash('sha256');
  for (const name of Object.keys(labels).sort()) hash.update(`${name}\u00ff${labels[name]}\u00ff`);
  return hash.digest('hex').slice(0, 16);
}
