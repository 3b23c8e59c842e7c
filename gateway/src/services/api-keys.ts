import { randomBytes } from 'node:crypto';
import { hashSecret, sameHash } from '../security/codes.js';
import type { ApiKeyRecord, ApiKeyScope, GatewayStore } from '../store/store.js';

export interface ApiKeyIdentity {
  id: string;
  name: string;
  scope: ApiKeyScope;
}

const NAME_MAX = 100;

/**
 * API keys for the send routes (`send` scope) and the admin API (`admin` scope). Stored as SHA-256;
 * env keys are hashed in memory (`WXNOTIFY_API_KEYS` send, `WXNOTIFY_ADMIN_API_KEYS` admin).
 */
export class ApiKeyService {
  private readonly envKeys: Array<{ hash: string; identity: ApiKeyIdentity }>;

  constructor(
    private readonly store: GatewayStore,
    envKeys: string[],
    envAdminKeys: string[] = [],
  ) {
    this.envKeys = [
      ...envKeys.map((key, i) => ({ hash: hashSecret(key), identity: { id: `env-${i + 1}`, name: `WXNOTIFY_API_KEYS #${i + 1}`, scope: 'send' as const } })),
      ...envAdminKeys.map((key, i) => ({ hash: hashSecret(key), identity: { id: `env-admin-${i + 1}`, name: `WXNOTIFY_ADMIN_API_KEYS #${i + 1}`, scope: 'admin' as const } })),
    ];
  }

  static newKey(): string {
    return `wxk_${randomBytes(32).toString('base64url')}`;
  }

  /**
   * Creates the first key when none exists: an admin key, for the local CLI (it manages Codes).
   * Returns it (to be written to the data dir) or undefined.
   */
  async ensureOne(): Promise<string | undefined> {
    if (this.envKeys.length > 0 || (await this.store.countApiKeys()) > 0) return undefined;
    const key = ApiKeyService.newKey();
    await this.store.addApiKey(hashSecret(key), 'first key (created at first start, admin)', 'admin');
    return key;
  }

  /** A new stored key; `send` unless `admin` is asked for. The key is returned once. */
  async create(name: unknown, scope: unknown): Promise<{ key: string; record: ApiKeyRecord }> {
    if (scope !== undefined && scope !== 'send' && scope !== 'admin') throw new RangeError('scope must be "send" or "admin"');
    if (name !== undefined && (typeof name !== 'string' || name.length > NAME_MAX)) throw new RangeError(`name must be a string of at most ${NAME_MAX} characters`);
    const key = ApiKeyService.newKey();
    const record = await this.store.addApiKey(hashSecret(key), name?.trim() || 'API key', scope ?? 'send');
    return { key, record };
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.store.listApiKeys();
  }

  revoke(id: string): Promise<boolean> {
    return this.store.revokeApiKey(id);
  }

  async verify(presented: string | undefined): Promise<ApiKeyIdentity | undefined> {
    if (!presented || presented.length < 16 || presented.length > 256) return undefined;
    const hash = hashSecret(presented);
    let found: ApiKeyIdentity | undefined;
    // Compare against every env key so timing does not depend on which one matched.
    for (const key of this.envKeys) if (sameHash(key.hash, hash)) found = key.identity;
    if (found) return found;
    const stored = await this.store.findActiveApiKey(hash);
    return stored ? { id: stored.id, name: stored.name, scope: stored.scope } : undefined;
  }
}

/** `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
export function presentedApiKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const match = /^Bearer\s+(\S+)$/i.exec(auth.trim());
    if (match) return match[1];
  }
  const header = headers['x-api-key'];
  return typeof header === 'string' ? header.trim() : undefined;
}
