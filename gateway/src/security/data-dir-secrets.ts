import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GatewayLogger } from '../observability/logger.js';

/** Parses a 32-byte key given as 64 hex characters or as base64/base64url. */
export function parseSecretKey(value: string): Buffer {
  const trimmed = value.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64url');
  if (key.length !== 32) {
    throw new Error('WXNOTIFY_SECRET_KEY must be 32 bytes: 64 hex characters or 43/44 base64 characters (e.g. `openssl rand -base64 32`).');
  }
  return key;
}

/** Reads a generated secret from the data dir, or creates it (mode 0600) and says so. */
function persistedSecret(dataDir: string, file: string, generate: () => string, logger: GatewayLogger, warning: string): string {
  const path = join(dataDir, file);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const value = generate();
  writeFileSync(path, `${value}\n`, { mode: 0o600, flag: 'wx' });
  logger.warn(warning, { file: path });
  return value;
}

/** The key that seals channel secrets: `WXNOTIFY_SECRET_KEY`, else one generated into the data dir. */
export function loadSecretKey(envValue: string | undefined, dataDir: string, logger: GatewayLogger): Buffer {
  if (envValue) return parseSecretKey(envValue);
  const stored = persistedSecret(
    dataDir,
    'secret.key',
    () => randomBytes(32).toString('base64url'),
    logger,
    'WXNOTIFY_SECRET_KEY is not set: generated a key into the data dir. Back it up or set the variable; stored channel secrets cannot be read without it.',
  );
  return parseSecretKey(stored);
}

/** The first admin password: `WXNOTIFY_ADMIN_PASSWORD`, else the data dir's file from an earlier start, else a new one (not yet written). */
export function initialAdminPassword(envValue: string | undefined, dataDir: string): { password: string; generated: boolean } {
  if (envValue) return { password: envValue, generated: false };
  const path = adminPasswordFile(dataDir);
  if (existsSync(path)) return { password: readFileSync(path, 'utf8').trim(), generated: false };
  return { password: randomBytes(12).toString('base64url'), generated: true };
}

export function adminPasswordFile(dataDir: string): string {
  return join(dataDir, 'admin-password');
}

/** Written by the replica whose password was stored (the winner of the first start) only. */
export function writeAdminPasswordFile(dataDir: string, password: string, logger: GatewayLogger): string {
  mkdirSync(dataDir, { recursive: true });
  const path = adminPasswordFile(dataDir);
  writeFileSync(path, `${password}\n`, { mode: 0o600, flag: 'wx' });
  logger.warn('No WXNOTIFY_ADMIN_PASSWORD: generated the admin password for the page into the data dir (read it there, then delete the file).', { file: path });
  return path;
}

/** The local API key file the CLI reads (the key itself is stored hashed in the database). */
export function apiKeyFile(dataDir: string): string {
  return join(dataDir, 'api-key');
}

export function writeApiKeyFile(dataDir: string, key: string, logger: GatewayLogger): void {
  mkdirSync(dataDir, { recursive: true });
  const path = apiKeyFile(dataDir);
  writeFileSync(path, `${key}\n`, { mode: 0o600 });
  logger.warn('Created the first API key (send routes need it): stored in the data dir for the local CLI.', { file: path });
}
