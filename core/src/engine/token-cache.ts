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
/** Fetches a token; `signal` aborts when no caller waits for it any more. */
export type TokenFetch = (signal?: AbortSignal) => Promise<FetchedToken>;

interface Flight {
  promise: Promise<string>;
  callers: JointAbort;
}

export class TokenCache {
  private readonly inflight = new Map<string, Flight>();
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

  /**
   * Returns a valid token, fetching it once if missing or due for refresh. The shared fetch is
   * aborted only when every caller waiting for it has aborted (a caller without a signal keeps it).
   */
  async get(key: string, fetch: TokenFetch, signal?: AbortSignal): Promise<string> {
    const known = this.peek(key);
    if (known !== undefined) return known;
    const pending = this.join(key, signal);
    if (pending) return pending;
    const cached = await this.store.get(key);
    if (this.isFresh(cached)) return this.remember(key, cached);
    return this.flight(key, signal, async (shared) => {
      const again = await this.store.get(key);
      return this.isFresh(again) ? this.remember(key, again) : this.fetchAndStore(key, fetch, shared);
    });
  }

  /**
   * Called when the upstream rejected `failedToken` (expired/invalid). Drops it only if it is
   * still the cached one, then fetches once; concurrent callers share that fetch.
   */
  async refresh(key: string, failedToken: string, fetch: TokenFetch, signal?: AbortSignal): Promise<string> {
    const pending = this.join(key, signal);
    if (pending) return pending;
    if (this.seen.get(key)?.value === failedToken) this.seen.delete(key);
    return this.flight(key, signal, async (shared) => {
      const cached = await this.store.get(key);
      if (this.isFresh(cached) && cached.value !== failedToken) return this.remember(key, cached);
      if (cached) await this.store.deleteIf(key, failedToken);
      return this.fetchAndStore(key, fetch, shared);
    });
  }

  /** Drops the token if it is still `value` (e.g. after a config change). */
  async invalidate(key: string, value: string): Promise<void> {
    if (this.seen.get(key)?.value === value) this.seen.delete(key);
    await this.store.deleteIf(key, value);
  }

  /** The flight under way for `key`, joined by this caller. */
  private join(key: string, signal: AbortSignal | undefined): Promise<string> | undefined {
    const flight = this.inflight.get(key);
    if (!flight) return undefined;
    flight.callers.join(signal);
    return flight.promise;
  }

  private flight(key: string, signal: AbortSignal | undefined, run: (shared: AbortSignal) => Promise<string>): Promise<string> {
    const existing = this.join(key, signal);
    if (existing) return existing;
    const callers = new JointAbort();
    callers.join(signal);
    const locked = this.store.withLock ? () => this.store.withLock!(key, () => run(callers.signal)) : () => run(callers.signal);
    const promise = locked().finally(() => {
      this.inflight.delete(key);
      callers.release();
    });
    this.inflight.set(key, { promise, callers });
    return promise;
  }

  private async fetchAndStore(key: string, fetch: TokenFetch, signal: AbortSignal): Promise<string> {
    const token = await fetch(signal);
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

/** A signal for work many callers share: it aborts once every caller that joined has aborted. */
class JointAbort {
  private readonly controller = new AbortController();
  private readonly joined: Array<{ signal: AbortSignal; onAbort: () => void }> = [];
  private waiting = 0;
  /** A caller without a signal joined: the work runs to its end. */
  private pinned = false;

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  join(signal: AbortSignal | undefined): void {
    if (this.pinned || this.controller.signal.aborted) return;
    if (!signal) {
      this.pinned = true;
      this.release();
      return;
    }
    if (signal.aborted) {
      if (this.waiting === 0 && this.joined.length === 0) this.controller.abort();
      return;
    }
    this.waiting++;
    const onAbort = (): void => {
      if (--this.waiting === 0 && !this.pinned) this.controller.abort();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    this.joined.push({ signal, onAbort });
  }

  /** Stops listening to the callers' signals (the work ended, or a caller pinned it). */
  release(): void {
    for (const { signal, onAbort } of this.joined) signal.removeEventListener('abort', onAbort);
    this.joined.length = 0;
  }
}
