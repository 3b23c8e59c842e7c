import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { assertKnownConfigKeys, isNotifyError, type ChannelConfig } from '@wxnotify/core';
import type { LogLevel } from './observability/logger.js';
import type { DeliveryLogMode } from './store/delivery-log.js';
import { MIN_PASSWORD_LENGTH } from './security/password.js';

/** Everything the gateway reads from its environment. See docs/gateway.md for the variables. */
export interface GatewayConfig {
  port: number;
  host: string;
  dataDir: string;
  /** `postgres://…` to share one store between replicas; default: SQLite file in the data dir. */
  databaseUrl?: string;
  secretKey?: string;
  adminPassword?: string;
  /** Extra API keys from the environment (in addition to the stored ones), `send` scope. */
  apiKeys: string[];
  /** Extra `admin`-scope API keys from the environment (the admin API, e.g. the CLI's `codes`). */
  adminApiKeys?: string[];
  /** Named channels: the personal-WeChat channel from GEWECHAT_* plus the JSON config file. */
  channels: Record<string, ChannelConfig>;
  /** Channel used by the seed contract `POST /api/notify` (`{wxid, content}`). */
  wechatChannel?: string;
  /** WeCom origin for Codes (default: the official one). A fixed-IP proxy for the trusted-IP rule, or a fake in tests. */
  wecomBaseUrl?: string;
  /** Public origin used in the examples the page shows (default: from the request). */
  publicUrl?: string;
  bodyLimitBytes: number;
  /** Largest `content` accepted (UTF-8 bytes). The core splits it into upstream-sized parts. */
  maxContentBytes: number;
  /** Default per-Code rate limit (requests per minute); each Code may override. */
  codeRatePerMinute: number;
  /** Window of the per-Code rate limit (ms). */
  codeRateWindowMs: number;
  /**
   * Auth on the seed-000 route `POST /api/notify`: `api-key` (default) or `none` for old callers
   * of the seed's unauthenticated API on a trusted network. Every other send route always needs a key or a Code.
   */
  notifyAuth: 'api-key' | 'none';
  /** Per API key rate limit on the channel routes (requests per minute). */
  apiKeyRatePerMinute: number;
  logLevel: LogLevel;
  /** Outbox poll interval for accepted asynchronous sends (ms). */
  outboxPollMs: number;
  /** Attempts before an accepted asynchronous send is marked failed. */
  outboxMaxAttempts: number;
  /** How long one delivery attempt holds an outbox entry; renewed every third of it while the attempt runs (ms). */
  outboxLeaseMs: number;
  /** Upstream callbacks received under `/callbacks/…` (by @wxnotify/nestjs's NotifyCallbacksModule). */
  callbacks: {
    /** Path secret for `/callbacks/gewechat/<secret>`, `/callbacks/wxpusher/<secret>` and `/callbacks/juhe/<secret>`. */
    secret?: string;
    /** WeCom app "receive messages" settings for `/callbacks/wecom`. */
    wecom?: { token: string; encodingAESKey: string; receiveId: string };
  };
  /** Per-request timeout towards upstreams (ms). */
  upstreamTimeoutMs: number;
  /** Alert routes (YAML or JSON), validated at start. See docs/alerts.md. */
  alertRoutesFile?: string;
  /** How often due alert groups are flushed (ms). */
  alertPollMs: number;
  /** Delivery log: which sends are logged (`all`, `alerts`: alert and card rows only, `off`), the newest rows kept, and the longest a row is kept (ms). */
  deliveryLog: { mode: DeliveryLogMode; maxRows: number; maxAgeMs: number };
  /** How long a flush holds its groups (ms); renewed every third of it while it sends. */
  alertLeaseMs: number;
  /** Longest a synchronous send waits for an upstream rate limit before answering 429 + Retry-After (ms). */
  syncMaxWaitMs: number;
  /** `/health` answers 503 when the embedded store's disk has less free space than this (bytes). */
  minFreeDiskBytes: number;
  /** How long `/health` reuses the personal-WeChat check's answer (ms). */
  healthCacheMs: number;
  /**
   * Express `trust proxy` (WXNOTIFY_TRUST_PROXY): which reverse proxies' X-Forwarded-For/-Proto to
   * believe, for the client address of the login and unknown-Code limits and for Secure cookies.
   * `true`, a hop count, or addresses/subnets (`loopback`, `10.0.0.0/8`, …). Unset: none.
   */
  trustProxy?: boolean | number | string;
  /**
   * Request limits counted in the shared store (Postgres), so that they hold for every replica
   * together (default). `WXNOTIFY_SHARED_LIMITS=off`: per-process counters (one replica only).
   */
  sharedLimits: boolean;
  /** `redis://…`: count the shared request limits in Redis instead of the database. */
  redisUrl?: string;
}

type Env = Record<string, string | undefined>;

export class ConfigError extends Error {}

function intVar(env: Env, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new ConfigError(`${name} must be an integer ≥ ${min} (got "${raw}").`);
  return value;
}

const DELIVERY_LOG_MODES: readonly DeliveryLogMode[] = ['all', 'alerts', 'off'];

function deliveryLogMode(env: Env): DeliveryLogMode {
  const raw = (env.WXNOTIFY_DELIVERY_LOG ?? '').trim().toLowerCase() || 'all';
  if (!(DELIVERY_LOG_MODES as readonly string[]).includes(raw)) throw new ConfigError(`WXNOTIFY_DELIVERY_LOG must be all, alerts or off (got "${env.WXNOTIFY_DELIVERY_LOG}").`);
  return raw as DeliveryLogMode;
}

function listVar(raw: string | undefined): string[] {
  return (raw ?? '').split(',').map((k) => k.trim()).filter(Boolean);
}

function sizeVar(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  const match = /^(\d+)\s*(b|kb|mb)?$/.exec(raw);
  if (!match) throw new ConfigError(`${name} must be a size like 65536, 64kb or 1mb (got "${raw}").`);
  const unit = match[2] === 'mb' ? 1024 * 1024 : match[2] === 'kb' ? 1024 : 1;
  return Number(match[1]) * unit;
}

function readChannelsFile(path: string): Record<string, ChannelConfig> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`Cannot read WXNOTIFY_CHANNELS_FILE ${path}: ${(error as Error).message}`);
  }
  const channels = (parsed as { channels?: unknown })?.channels ?? parsed;
  if (!channels || typeof channels !== 'object' || Array.isArray(channels)) {
    throw new ConfigError('WXNOTIFY_CHANNELS_FILE must hold an object of named channel configs: {"ops": {"type": "wecom-bot", "key": "…"}}.');
  }
  for (const [name, config] of Object.entries(channels)) {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new ConfigError(`Channel name "${name}" may use only letters, digits, "-" and "_".`);
    if (!config || typeof (config as { type?: unknown }).type !== 'string') throw new ConfigError(`Channel "${name}" needs a "type".`);
    try {
      assertKnownConfigKeys(config as Record<string, unknown>);
    } catch (error) {
      if (!isNotifyError(error)) throw error;
      throw new ConfigError(`WXNOTIFY_CHANNELS_FILE: channel "${name}": ${error.upstreamMessage}. ${error.hint ?? ''}`.trim());
    }
  }
  return channels as Record<string, ChannelConfig>;
}

/** `GEWECHAT_RATE_LIMIT`: messages per minute for the personal account (core default 30), or `off`. */
function gewechatRate(value: string | undefined): { rateLimit?: { limit: number; windowMs: number } | false } {
  if (value === undefined || value === '') return {};
  if (value === 'off' || value === '0') return { rateLimit: false };
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1) throw new ConfigError('GEWECHAT_RATE_LIMIT must be messages per minute (an integer ≥ 1) or off.');
  return { rateLimit: { limit, windowMs: 60_000 } };
}

function callbacksOf(env: Env): GatewayConfig['callbacks'] {
  const secret = env.WXNOTIFY_CALLBACK_SECRET || undefined;
  if (secret !== undefined && !/^[A-Za-z0-9_-]{16,128}$/.test(secret)) {
    throw new ConfigError('WXNOTIFY_CALLBACK_SECRET must be 16-128 characters of A-Z a-z 0-9 _ - (it is part of the callback URL).');
  }
  const wecomVars = [env.WECOM_CALLBACK_TOKEN, env.WECOM_CALLBACK_AES_KEY, env.WECOM_CALLBACK_CORP_ID];
  if (wecomVars.some(Boolean) && !wecomVars.every(Boolean)) {
    throw new ConfigError('WeCom callbacks need all of WECOM_CALLBACK_TOKEN, WECOM_CALLBACK_AES_KEY and WECOM_CALLBACK_CORP_ID.');
  }
  const wecom = wecomVars.every(Boolean) ? { token: env.WECOM_CALLBACK_TOKEN!, encodingAESKey: env.WECOM_CALLBACK_AES_KEY!, receiveId: env.WECOM_CALLBACK_CORP_ID! } : undefined;
  return { ...(secret ? { secret } : {}), ...(wecom ? { wecom } : {}) };
}

function notifyAuthOf(value: string | undefined): 'api-key' | 'none' {
  if (value === undefined || value === '' || value === 'api-key') return 'api-key';
  if (value === 'none') return 'none';
  throw new ConfigError('WXNOTIFY_NOTIFY_AUTH must be api-key or none.');
}

function trustProxyOf(value: string | undefined): boolean | number | string | undefined {
  const raw = value?.trim();
  if (!raw || raw === 'false') return undefined;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  if (!/^[\w.:/, -]+$/.test(raw)) throw new ConfigError('WXNOTIFY_TRUST_PROXY must be true, a number of proxy hops, or a comma list of addresses/subnets (loopback, 10.0.0.0/8, …).');
  return raw;
}

function adminPasswordOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (value.length < MIN_PASSWORD_LENGTH) throw new ConfigError(`WXNOTIFY_ADMIN_PASSWORD needs at least ${MIN_PASSWORD_LENGTH} characters (as for password changes on the page).`);
  return value;
}

export function loadConfig(env: Env = process.env): GatewayConfig {
  const dataDir = resolve(env.WXNOTIFY_DATA_DIR || 'data');
  const channels: Record<string, ChannelConfig> = env.WXNOTIFY_CHANNELS_FILE ? readChannelsFile(resolve(env.WXNOTIFY_CHANNELS_FILE)) : {};
  let wechatChannel = env.WXNOTIFY_WECHAT_CHANNEL || undefined;
  if (env.GEWECHAT_BASE_URL) {
    channels.wechat = {
      type: 'gewechat',
      baseUrl: env.GEWECHAT_BASE_URL,
      token: env.GEWECHAT_TOKEN ?? '',
      appId: env.GEWECHAT_APP_ID ?? '',
      ...gewechatRate(env.GEWECHAT_RATE_LIMIT),
    } as ChannelConfig;
    wechatChannel ??= 'wechat';
  }
  if (!wechatChannel) wechatChannel = Object.entries(channels).find(([, c]) => c.type === 'gewechat')?.[0];
  const level = (env.WXNOTIFY_LOG_LEVEL ?? 'info') as LogLevel;
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new ConfigError('WXNOTIFY_LOG_LEVEL must be debug, info, warn or error.');
  return {
    port: intVar(env, 'PORT', 8080),
    // This machine only unless asked: the admin page and the send routes are not for the whole network by default.
    host: env.WXNOTIFY_HOST || env.HOST || '127.0.0.1',
    dataDir,
    databaseUrl: env.WXNOTIFY_DATABASE_URL || undefined,
    secretKey: env.WXNOTIFY_SECRET_KEY || undefined,
    adminPassword: adminPasswordOf(env.WXNOTIFY_ADMIN_PASSWORD),
    apiKeys: listVar(env.WXNOTIFY_API_KEYS),
    adminApiKeys: listVar(env.WXNOTIFY_ADMIN_API_KEYS),
    channels,
    wechatChannel,
    wecomBaseUrl: env.WXNOTIFY_WECOM_BASE_URL || undefined,
    publicUrl: env.WXNOTIFY_PUBLIC_URL || undefined,
    bodyLimitBytes: sizeVar(env, 'WXNOTIFY_BODY_LIMIT', 64 * 1024),
    maxContentBytes: sizeVar(env, 'WXNOTIFY_MAX_CONTENT_BYTES', 16 * 1024),
    codeRatePerMinute: intVar(env, 'WXNOTIFY_CODE_RATE_LIMIT', 60, 1),
    codeRateWindowMs: 60_000,
    notifyAuth: notifyAuthOf(env.WXNOTIFY_NOTIFY_AUTH),
    apiKeyRatePerMinute: intVar(env, 'WXNOTIFY_API_KEY_RATE_LIMIT', 600, 1),
    logLevel: level,
    outboxPollMs: intVar(env, 'WXNOTIFY_OUTBOX_POLL_MS', 1000, 10),
    outboxMaxAttempts: intVar(env, 'WXNOTIFY_OUTBOX_MAX_ATTEMPTS', 8, 1),
    outboxLeaseMs: intVar(env, 'WXNOTIFY_OUTBOX_LEASE_MS', 60_000, 300),
    callbacks: callbacksOf(env),
    upstreamTimeoutMs: intVar(env, 'WXNOTIFY_UPSTREAM_TIMEOUT_MS', 10_000, 100),
    alertRoutesFile: env.WXNOTIFY_ALERT_ROUTES_FILE ? resolve(env.WXNOTIFY_ALERT_ROUTES_FILE) : undefined,
    alertPollMs: intVar(env, 'WXNOTIFY_ALERT_POLL_MS', 1000, 10),
    deliveryLog: { mode: deliveryLogMode(env), maxRows: intVar(env, 'WXNOTIFY_DELIVERY_LOG_MAX_ROWS', 10_000, 1), maxAgeMs: intVar(env, 'WXNOTIFY_DELIVERY_LOG_DAYS', 30, 1) * 24 * 3600_000 },
    alertLeaseMs: intVar(env, 'WXNOTIFY_ALERT_LEASE_MS', 5 * 60_000, 300),
    syncMaxWaitMs: intVar(env, 'WXNOTIFY_SYNC_MAX_WAIT_MS', 3000, 0),
    minFreeDiskBytes: sizeVar(env, 'WXNOTIFY_MIN_FREE_DISK', 32 * 1024 * 1024),
    healthCacheMs: intVar(env, 'WXNOTIFY_HEALTH_CACHE_MS', 5000),
    trustProxy: trustProxyOf(env.WXNOTIFY_TRUST_PROXY),
    redisUrl: env.WXNOTIFY_REDIS_URL || undefined,
    sharedLimits: !['off', 'false', '0'].includes((env.WXNOTIFY_SHARED_LIMITS ?? '').trim().toLowerCase()),
  };
}
