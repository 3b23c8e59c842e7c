import type { Clock } from './clock';
import type { CachedToken, TokenStore } from './token-store';

export interface FetchedToken {
  value: string;
  /** Lifetime in seconds as reported by the upstream (`expires_in`). */
  expiresInSeconds: number;
}

export interface TokenCacheOptions {
  /** Refresh this many seconds before the upstream's expiry (WeCom: 300). */
  refreshMarginSeconds?: number;
}

/**
 * Token cache with single flight: however many callers ask at once, one fetch runs per key,
 * both for the first fetch and for a refresh after the upstream rejected a token.
 *
 * The last token this process saw for a key is remembered in memory until it is due for refresh,
 * so a send with a fresh token needs no store round trip (with Redis: no network call) and no
 * promise. If another process replaced it in a shared store, the first send with the old one is
 * rejected by the upstream and `refresh()` picks up the new one from the store.
 */
export class TokenCache {
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly seen = new Map<string, CachedToken>();
  private readonly marginMs: number;

  constructor(
    private readonly store: TokenStore,
    private readonly clock: Clock,
    options: TokenCacheOptions = {},
  ) {
    this.marginMs = (options.refreshMarginSeconds ?? 300) * 1000;
  }

  /** The token, synchronously, when this process holds a fresh one (a refresh forgets the failed one first). */
  peek(key: string): string | undefined {
    const token = this.seen.get(key);
    return token !== undefined && token.expiresAt > this.clock.now() ? token.value : undefined;
  }

  /** Returns a valid token, fetching it once if missing or due for refresh. */
  async get(key: string, fetch: () => Promise<FetchedToken>): Promise<string> {
    const known = this.peek(key);
    if (known !== undefined) return known;
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const cached = await this.store.get(key);
    if (this.isFresh(cached)) return this.remember(key, cached);
    return this.flight(key, async () => {
      const again = await this.store.get(key);
      return this.isFresh(again) ? this.remember(key, again) : this.fetchAndStore(key, fetch);
    });
  }

  /**
   * Called when the upstream rejected `failedToken` (expired/invalid). Drops it only if it is
   * still the cached one, then fetches once; concurrent callers share that fetch.
   */
  async refresh(key: string, failedToken: string, fetch: () => Promise<FetchedToken>): Promise<string> {
    const pending = this.inflight.get(key);
    if (pending) return pending;
    if (this.seen.get(key)?.value === failedToken) this.seen.delete(key);
    return this.flight(key, async () => {
      const cached = await this.store.get(key);
      if (this.isFresh(cached) && cached.value !== failedToken) return this.remember(key, cached);
      if (cached) await this.store.deleteIf(key, failedToken);
      return this.fetchAndStore(key, fetch);
    });
  }

  /** Drops the token if it is still `value` (e.g. after a config change). */
  async invalidate(key: string, value: string): Promise<void> {
    if (this.seen.get(key)?.value === value) this.seen.delete(key);
    await this.store.deleteIf(key, value);
  }

  private flight(key: string, run: () => Promise<string>): Promise<string> {
    const existing = this.inflight.get(key);
    if (existing) return existing;
    const locked = this.store.withLock ? () => this.store.withLock!(key, run) : run;
    const promise = locked().finally(() => this.inflight.delete(key));
    this.inflight.set(key, promise);
    return promise;
  }

  private async fetchAndStore(key: string, fetch: () => Promise<FetchedToken>): Promise<string> {
    const token = await fetch();
    const lifetimeMs = Math.max(0, token.expiresInSeconds * 1000 - this.marginMs);
    const cached = { value: token.value, expiresAt: this.clock.now() + lifetimeMs };
    await this.store.set(key, cached);
    return this.remember(key, cached);
  }

  private remember(key: string, token: CachedToken): string {
    this.seen.set(key, token);
    return token.value;
  }

  private isFresh(token: CachedToken | undefined): token is CachedToken {
    return token !== undefined && token.expiresAt > this.clock.now();
  }
}
