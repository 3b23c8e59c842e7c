import { systemClock, type Clock } from './engine/clock';
import { Pipeline } from './engine/pipeline';
import { MemoryRateLimiter, type RateLimiter } from './engine/rate-limiter';
import { Redactor } from './engine/redact';
import { defaultRetryPolicy } from './engine/retry';
import { TokenCache } from './engine/token-cache';
import { MemoryTokenStore, type TokenStore } from './engine/token-store';
import { validationError } from './model/notify-error';
import { channelDefinitions, type ChannelConfig, type ChannelFor, type ChannelType } from './channels/registry';
import type { ChannelContext, ChannelDeps } from './channels/types';
import type { Transport } from './transport/transport';

// Process-wide defaults, per clock: two channels for the same app (also across n8n executions,
// which share n8n's clock object) share one token flight and one pace.
const defaultTokenStore = new MemoryTokenStore();
const sharedByClock = new WeakMap<Clock, { limiter: RateLimiter; tokenCaches: WeakMap<TokenStore, TokenCache> }>();
let defaultTransport: Transport | undefined;

/**
 * The server default: the lean node:http transport (it honours HTTP(S)_PROXY / NO_PROXY).
 * Loaded lazily: hosts that bring their own transport (n8n) never load it.
 */
function sharedTransport(): Transport {
  if (!defaultTransport) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { NodeHttpTransport } = require('./transport/node-http-transport') as typeof import('./transport/node-http-transport');
    try {
      defaultTransport = new NodeHttpTransport();
    } catch (error) {
      // An unusable HTTP(S)_PROXY (e.g. socks5://) must not be skipped silently: traffic would leave unproxied.
      throw validationError('transport', 'INVALID_CONFIG', `${(error as Error).message} (from HTTPS_PROXY / HTTP_PROXY)`, 'Point the variable at an http:// proxy, or pass deps.transport, e.g. new NodeHttpTransport({ proxy: false }).');
    }
  }
  return defaultTransport;
}

function sharedFor(clock: Clock): { limiter: RateLimiter; tokenCaches: WeakMap<TokenStore, TokenCache> } {
  let shared = sharedByClock.get(clock);
  if (!shared) {
    shared = { limiter: new MemoryRateLimiter(clock), tokenCaches: new WeakMap() };
    sharedByClock.set(clock, shared);
  }
  return shared;
}

function tokenCacheFor(store: TokenStore, clock: Clock): TokenCache {
  const { tokenCaches } = sharedFor(clock);
  let cache = tokenCaches.get(store);
  if (!cache) {
    cache = new TokenCache(store, clock);
    tokenCaches.set(store, cache);
  }
  return cache;
}

/** Resolves the optional deps into a full context. Hosts can build it once and reuse it. */
export function createChannelContext(deps: ChannelDeps = {}): ChannelContext {
  const clock = deps.clock ?? systemClock;
  const transport = deps.transport ?? sharedTransport();
  const limiter: RateLimiter = deps.rateLimiter ?? sharedFor(clock).limiter;
  const tokens = tokenCacheFor(deps.tokenStore ?? defaultTokenStore, clock);
  const retry = { ...defaultRetryPolicy, ...deps.retry };
  return {
    transport,
    clock,
    tokens,
    limiter,
    retry,
    logger: deps.logger,
    pipeline: (channel, secrets) =>
      new Pipeline({ channel, transport, clock, limiter, retry, logger: deps.logger, redactor: new Redactor(secrets), random: deps.random }),
  };
}

/**
 * Builds a channel client from its config. The `type` picks the channel; everything else in
 * `deps` is optional (transport, clock, token store, rate limiter, retry policy, logger).
 */
export function createChannel<C extends ChannelConfig>(config: C, deps: ChannelDeps | ChannelContext = {}): ChannelFor<C> {
  const type = (config as { type?: unknown })?.type;
  if (typeof type !== 'string' || !(type in channelDefinitions)) {
    throw validationError(String(type ?? 'unknown'), 'INVALID_CONFIG', `unknown channel type "${String(type)}"`, `Use one of: ${Object.keys(channelDefinitions).join(', ')}.`);
  }
  const definition = channelDefinitions[type as ChannelType] as unknown as {
    validateConfig(c: C): C;
    create(c: C, ctx: ChannelContext): ChannelFor<C>;
  };
  const ctx = isContext(deps) ? deps : createChannelContext(deps);
  return definition.create(definition.validateConfig(config), ctx);
}

function isContext(deps: ChannelDeps | ChannelContext): deps is ChannelContext {
  return typeof (deps as ChannelContext).pipeline === 'function';
}
