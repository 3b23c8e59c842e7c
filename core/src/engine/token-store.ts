export interface CachedToken {
  value: string;
  /** Epoch ms after which the token must not be used (already includes the early-refresh margin). */
  expiresAt: number;
}

/**
 * Where tokens live. The in-memory store serves one process; a shared store (Redis) lets many
 * workers share one token. `deleteIf` must be compare-and-delete so a late failure of an old
 * token never throws away a fresh one.
 */
export interface TokenStore {
  get(key: string): Promise<CachedToken | undefined>;
  set(key: string, token: CachedToken): Promise<void>;
  deleteIf(key: string, value: string): Promise<void>;
  /**
   * Optional cross-process single flight: run `fn` while holding a lock on `key`. Stores without
   * it rely on the in-process single flight alone.
   */
  withLock?<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

export class MemoryTokenStore implements TokenStore {
  private readonly tokens = new Map<string, CachedToken>();

  async get(key: string): Promise<CachedToken | undefined> {
    return this.tokens.get(key);
  }

  async set(key: string, token: CachedToken): Promise<void> {
    this.tokens.set(key, token);
  }

  async deleteIf(key: string, value: string): Promise<void> {
    if (this.tokens.get(key)?.value === value) this.tokens.delete(key);
  }
}
