import type { Clock } from '../engine/clock';
import type { Logger, Pipeline } from '../engine/pipeline';
import type { QuotaDefinitions, QuotaOverrides, QuotaPolicy } from '../engine/quotas';
import type { RateLimiter } from '../engine/rate-limiter';
import type { RetryPolicy } from '../engine/retry';
import type { TokenCache } from '../engine/token-cache';
import type { TokenStore } from '../engine/token-store';
import type { Notification } from '../model/notification';
import type { SendResult } from '../model/send-result';
import type { Transport } from '../transport/transport';

/** Every channel config has a `type` and may override the upstream origin (proxy for trusted IPs). */
export interface BaseChannelConfig {
  type: string;
  /** Upstream origin (default: the official one). Point it at a fixed-IP reverse proxy to satisfy WeCom's trusted-IP rule. */
  baseUrl?: string;
  /** Per-request timeout in ms. */
  timeoutMs?: number;
  /**
   * What a send does when it would exceed one of the channel's quotas (see `quotas` in its
   * definition): `coalesce` (default) merges it with the others waiting for the same recipients
   * into the next message that fits; `wait` sends it unchanged when a slot frees; `fail` throws a
   * retryable NotifyError `QUOTA_EXCEEDED` with `retryAfterMs`. Nothing is ever sent into a silent drop.
   */
  onQuota?: QuotaPolicy;
  /** Overrides of the definition's quotas by name, e.g. `{ perMemberPerMinute: { limit: 20 } }`; `false` turns one off. */
  quotas?: QuotaOverrides;
}

export interface HealthStatus {
  ok: boolean;
  /** Short human-readable state, e.g. `token ok`, `用户未登录`, `client online`. */
  message: string;
  details?: Record<string, unknown>;
}

export interface SendOptions {
  /**
   * Aborts the send wherever it is (pacing, token, on the wire, retry backoff): it then rejects
   * with an `ABORTED` NotifyError, never retried, and nothing more leaves. `deliveryUnknown` says
   * whether a request was on the wire; `partial` holds what an earlier part or batch delivered.
   */
  signal?: AbortSignal;
}

export interface Channel<N extends Notification<any, any> = Notification> {
  readonly type: string;
  /**
   * Throws the validation NotifyError that `send()` would throw for this notification, without
   * any request (hosts check an asynchronous send before they accept it).
   */
  validate?(notification: N): void;
  send(notification: N, options?: SendOptions): Promise<SendResult>;
  /** A harmless probe of the credentials (no visible message), for health checks and credential tests. */
  check(): Promise<HealthStatus>;
}

/** Optional collaborators a host hands to `createChannel`. Every one has a working default. */
export interface ChannelDeps {
  transport?: Transport;
  clock?: Clock;
  tokenStore?: TokenStore;
  rateLimiter?: RateLimiter;
  retry?: Partial<RetryPolicy>;
  logger?: Logger;
  /** Randomness for backoff jitter (tests pin it). */
  random?: () => number;
}

/** What a channel definition gets to build its client: everything resolved, nothing optional. */
export interface ChannelContext {
  transport: Transport;
  clock: Clock;
  tokens: TokenCache;
  limiter: RateLimiter;
  retry: RetryPolicy;
  logger?: Logger;
  /** Builds the channel's pipeline with a redactor that knows the channel's secrets. */
  pipeline(channel: string, secrets: Array<string | undefined>): Pipeline;
}

/**
 * One definition per channel: its config check, its limits and its client factory. Hosts read
 * the limits from here (n8n field hints, docs) instead of restating them.
 */
export interface ChannelDefinition<C extends BaseChannelConfig = BaseChannelConfig, Ch extends Channel<any> = Channel<any>> {
  type: C['type'];
  displayName: string;
  defaultBaseUrl: string;
  limits: Readonly<Record<string, number>>;
  /** Upstream quotas (per recipient, per sender), each overridable in the config's `quotas`. */
  quotas: QuotaDefinitions;
  /**
   * The config keys of this channel besides the common ones (type, baseUrl, timeoutMs, onQuota,
   * quotas). Hosts that read configs from files reject any other key, listing these.
   */
  configKeys: readonly string[];
  /** Old names still accepted, mapped to the current one (e.g. `to` → `defaultTo`). */
  legacyConfigKeys?: Readonly<Record<string, string>>;
  /** Throws a validation NotifyError naming the bad field. Returns the normalised config. */
  validateConfig(config: C): C;
  create(config: C, ctx: ChannelContext): Ch;
}
