import { randomBytes } from 'node:crypto';
import { hashSecret, sameHash } from '../security/codes.js';
import type { GatewayStore } from '../store/store.js';

export interface ApiKeyIdentity {
  id: string;
  name: string;
}

/** API keys for the send routes and the admin API. Stored as SHA-256; env keys are hashed in memory. */
export class ApiKeyService {
  private readonly envKeys: Array<{ hash: string; identity: ApiKeyIdentity }>;

  constructor(
    private readonly store: GatewayStore,
    envKeys: string[],
  ) {
    this.envKeys = envKeys.map((key, i) => ({ hash: hashSecret(key), identity: { id: `env-${i + 1}`, name: `WXNOTIFY_API_KEYS #${i + 1}` } }));
  }

  static newKey(): string {
    return `wxk_${randomBytes(32).toString('base64url')}`;
  }

  /** Creates the first key when none exists. Returns it (to be written for the local CLI) or undefined. */
  async ensureOne(): Promise<string | undefined> {
    if (this.envKeys.length > 0 || (await this.store.countApiKeys()) > 0) return undefined;
    const key = ApiKeyService.newKey();
    await this.store.addApiKey(hashSecret(key), 'first key (created at first start)');
    return key;
  }

  async verify(presented: string | undefined): Promise<ApiKeyIdentity | undefined> {
    if (!presented || presented.length < 16 || presented.length > 256) return undefined;
    const hash = hashSecret(presented);
    let found: ApiKeyIdentity | undefined;
    // Compare against every env key so timing does not depend on which one matched.
    for (const key of this.envKeys) if (sameHash(key.hash, hash)) found = key.identity;
    return found ?? (await this.store.findActiveApiKey(hash));
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
