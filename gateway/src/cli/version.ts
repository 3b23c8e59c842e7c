import { readFileSync } from 'node:fs';

/** The version of @wxnotify/gateway (its package.json sits two folders up from src/cli and dist/cli). */
export function cliVersion(): string {
  try {
    return String((JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown }).version ?? 'unknown');
  } catch {
    return 'unknown';
  }
}
