import { createHmac, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config.js';
import type { GatewayLogger } from '../observability/logger.js';
import type { GatewayStore } from '../store/store.js';
import { loadSecretKey } from './data-dir-secrets.js';
import { SecretBox } from './secret-box.js';

const FINGERPRINT_SETTING = 'secret_key_fingerprint';
const INSTALL_SETTING = 'install_id';
/** Written into each data dir at first start: this dir belongs to the store with this install id. */
export const STORE_ID_FILE = 'store-id';

/** Identifies a key without revealing it (HMAC of a fixed label, 16 hex characters). */
export function keyFingerprint(key: Buffer): string {
  return createHmac('sha256', key).update('wxnotify secret key fingerprint v1').digest('hex').slice(0, 16);
}

function readStoreId(dataDir: string): string | undefined {
  try {
    return readFileSync(join(dataDir, STORE_ID_FILE), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * A fresh-looking store in a data dir that belonged to one with state: the database was lost,
 * emptied, or the URL points at another one. Starting would look like a new install and lose
 * every Code silently, so the gateway refuses and says how to go on.
 */
async function checkInstall(store: GatewayStore, dataDir: string, logger: GatewayLogger): Promise<void> {
  const dirId = readStoreId(dataDir);
  let storeId = await store.getSetting(INSTALL_SETTING);
  if (!storeId && dirId) {
    throw new ConfigError(
      `The store is empty, but the data dir ${dataDir} belongs to an installation whose store held Codes and keys (${STORE_ID_FILE} ${dirId}): the database was lost or emptied, or WXNOTIFY_DATABASE_URL points at another one. Restore the database from a backup, or delete ${join(dataDir, STORE_ID_FILE)} to start afresh.`,
    );
  }
  if (!storeId) {
    await store.setSettingIfAbsent(INSTALL_SETTING, randomUUID());
    storeId = (await store.getSetting(INSTALL_SETTING))!;
  }
  if (dirId && dirId !== storeId) {
    logger.warn('This data dir was used with another store before; it now belongs to this one.', { dataDir, previous: dirId, current: storeId });
  }
  if (dirId === storeId) return;
  try {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, STORE_ID_FILE), `${storeId}\n`, { mode: 0o600 });
  } catch (error) {
    // Replicas on Postgres may run with a read-only data dir: the check then only guards the others.
    logger.warn('Could not write the store id into the data dir (an emptied database will not be noticed from here).', { dataDir, error: (error as Error).message });
  }
}

/**
 * The key that seals channel secrets, checked against the store: its fingerprint is stored at
 * first start, and a replica (or a restart) with another key refuses to start, instead of failing
 * every send of a Code sealed with the right one. Also refuses a lost `secret.key` and an emptied store.
 */
export async function openSecretBox(store: GatewayStore, options: { envKey?: string; dataDir: string; logger: GatewayLogger }): Promise<SecretBox> {
  const { envKey, dataDir, logger } = options;
  await checkInstall(store, dataDir, logger);
  const stored = await store.getSetting(FINGERPRINT_SETTING);
  if (stored && !envKey && !existsSync(join(dataDir, 'secret.key'))) {
    throw new ConfigError(
      `The store was set up with a secret key (fingerprint ${stored}), but WXNOTIFY_SECRET_KEY is not set and ${join(dataDir, 'secret.key')} is missing. Restore secret.key from a backup, or set WXNOTIFY_SECRET_KEY to the original key: stored channel secrets cannot be read without it.`,
    );
  }
  const key = loadSecretKey(envKey, dataDir, logger);
  const box = new SecretBox(key);
  const mine = keyFingerprint(key);
  let expected = stored;
  if (!expected) {
    // Stores from before fingerprints: the key must open a sealed secret that is already there.
    const sealed = (await store.listCodes()).find((code) => code.secretSealed !== '');
    if (sealed && !opens(box, sealed.secretSealed, sealed.id)) expected = 'the key the stored Codes were sealed with';
    else {
      await store.setSettingIfAbsent(FINGERPRINT_SETTING, mine);
      expected = await store.getSetting(FINGERPRINT_SETTING); // replicas starting together: the first one's key counts
    }
  }
  if (expected !== mine) {
    throw new ConfigError(
      `WXNOTIFY_SECRET_KEY (fingerprint ${mine}) is not the key this store was set up with (${expected}). Every replica must use the same WXNOTIFY_SECRET_KEY: copy it from the replica that started first (or from its data dir's secret.key) into this one's environment.`,
    );
  }
  return box;
}

function opens(box: SecretBox, sealed: string, context: string): boolean {
  try {
    box.open(sealed, context);
    return true;
  } catch {
    return false;
  }
}
