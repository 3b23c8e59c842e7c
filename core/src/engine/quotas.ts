import { NotifyError, validationError } from '../model/notify-error';
import type { RateRule } from './rate-limiter';

/**
 * What a send does when it would exceed a quota (`onQuota` in every channel config):
 * - `coalesce` (default): wait for the next free slot and merge with the other notifications
 *   waiting for the same recipients into one readable message (`【合并 N 条通知】`).
 * - `wait`: wait for the next free slot and send it unchanged (pacing).
 * - `fail`: reject at once with a retryable `NotifyError` (code `QUOTA_EXCEEDED`, `retryAfterMs`).
 * Never: send into a quota the upstream drops silently.
 */
export type QuotaPolicy = 'coalesce' | 'wait' | 'fail';
export const QUOTA_POLICIES: readonly QuotaPolicy[] = ['coalesce', 'wait', 'fail'];
export const DEFAULT_QUOTA_POLICY: QuotaPolicy = 'coalesce';

/**
 * One upstream quota, as data in the channel definition (next to `limits`). Hosts and docs read
 * it from there; a channel config overrides `limit` / `windowMs` per name (`quotas: { perMemberPerMinute: { limit: 20 } }`).
 */
export interface QuotaDefinition extends RateRule {
  /**
   * What one unit is counted against: `recipient` = each recipient of a message (a member; a
   * party, tag or `@all` as one key, since they cannot be counted per member); `sender` = the
   * robot, token or account the channel sends as.
   */
  per: 'recipient' | 'sender';
  /**
   * What happens past it: `silent-drop` (answers ok, delivers nothing), `error` (e.g. 45009), or
   * `restriction` (no error, but the account risks being restricted: personal WeChat).
   */
  overflow: 'silent-drop' | 'error' | 'restriction';
  /** True when the figure is our conservative estimate, not a documented upstream rule. */
  estimate?: boolean;
  description: string;
}

export type QuotaDefinitions = Readonly<Record<string, QuotaDefinition>>;

/** Per-name override in a channel config; `false` turns that quota off (you then own the silent drops). */
export type QuotaOverrides = Readonly<Record<string, Partial<RateRule> | false>>;

/** The quotas in effect for one channel: rules per scope, ready for the limiter. */
export interface ResolvedQuotas {
  recipient: RateRule[];
  sender: RateRule[];
}

/**
 * Merges config overrides into a channel's quota definitions, naming the bad field on bad input.
 * Windows get `slackMs` added so clock skew between us and the upstream cannot push a message
 * over its limit.
 */
export function resolveQuotas(channel: string, definitions: QuotaDefinitions, overrides: QuotaOverrides | undefined, slackMs = 1000): ResolvedQuotas {
  const resolved: ResolvedQuotas = { recipient: [], sender: [] };
  if (overrides !== undefined && (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides))) {
    throw validationError(channel, 'INVALID_CONFIG', 'quotas: must be an object keyed by quota name', `Names: ${Object.keys(definitions).join(', ') || '(none)'}.`);
  }
  for (const name of Object.keys(overrides ?? {})) {
    if (!(name in definitions)) {
      throw validationError(channel, 'INVALID_CONFIG', `quotas.${name}: unknown quota`, `Names: ${Object.keys(definitions).join(', ') || '(none)'}.`);
    }
  }
  for (const [name, definition] of Object.entries(definitions)) {
    const override = overrides?.[name];
    if (override === false) continue;
    const limit = override?.limit ?? definition.limit;
    const windowMs = override?.windowMs ?? definition.windowMs;
    if (!(limit === Infinity || (Number.isInteger(limit) && limit >= 1))) {
      throw validationError(channel, 'INVALID_CONFIG', `quotas.${name}.limit: must be an integer >= 1`, `Default: ${definition.limit} per ${definition.windowMs} ms.`);
    }
    if (!Number.isFinite(windowMs) || windowMs < 1) {
      throw validationError(channel, 'INVALID_CONFIG', `quotas.${name}.windowMs: must be a number of ms >= 1`, `Default: ${definition.windowMs}.`);
    }
    if (limit === Infinity) continue;
    resolved[definition.per].push({ limit, windowMs: windowMs + slackMs });
  }
  return resolved;
}

export function checkQuotaPolicy(channel: string, value: unknown): QuotaPolicy {
  if (value === undefined) return DEFAULT_QUOTA_POLICY;
  if (!QUOTA_POLICIES.includes(value as QuotaPolicy)) {
    throw validationError(channel, 'INVALID_CONFIG', 'onQuota: must be coalesce, wait or fail', 'coalesce (default) merges waiting notifications; wait paces; fail throws QUOTA_EXCEEDED.');
  }
  return value as QuotaPolicy;
}

/** The typed, retryable error of `onQuota: 'fail'`. */
export function quotaExceededError(channel: string, retryAfterMs: number, what: string): NotifyError {
  return new NotifyError({
    channel,
    code: 'QUOTA_EXCEEDED',
    kind: 'quota',
    retryable: true,
    retryAfterMs,
    operation: 'send',
    message: `${what}: quota limit reached, nothing was sent; retry in ${Math.ceil(retryAfterMs / 1000)} s`,
    hint: `已达发送配额上限，本条未发送（上游会静默丢弃超额消息）；请在 ${Math.ceil(retryAfterMs / 1000)} 秒后重试，或改用 onQuota: 'coalesce' 自动合并。 The quota is full: retry after retryAfterMs, or use onQuota 'coalesce'.`,
  });
}
