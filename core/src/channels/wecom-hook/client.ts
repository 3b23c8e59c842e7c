import { mapSettled } from '../../engine/concurrency';
import { idToString } from '../../engine/json';
import type { Outcome, Pipeline } from '../../engine/pipeline';
import { toPlainText } from '../../engine/render';
import type { Notification } from '../../model/notification';
import { isAbortError, isNotifyError, NotifyError, validationError } from '../../model/notify-error';
import { buildResult, SendStats, type PartialFailure, type SendResult } from '../../model/send-result';
import type { HttpResponse } from '../../transport/transport';
import type { Channel, ChannelContext, HealthStatus, SendOptions } from '../types';
import { WECOM_HOOK_LIMITS, type WeComHookConfig } from './config';
import { canonicalAppinfo, SendConfirmations } from './confirmations';
import { normalizeConversationIds, type NormalizedConversationId } from './conversation-id';
import { fromTable, isInstanceWideError, parseWeComHookResponse } from './errors';

export interface WeComHookOptions {
  /** Wait for each message's echo callback (needs callbacks fed into `channel.confirmations`). */
  confirm?: boolean;
  confirmTimeoutMs?: number;
  /** Parallel requests when sending to several conversations (default: config, then 5). */
  concurrency?: number;
}

/** `to`: conversation ids `S:<user id>` / `R:<room id>` (a bare numeric id is repaired to `S:<id>`). */
export type WeComHookNotification = Notification<string | string[], WeComHookOptions>;

export interface WeComHookTargetResult {
  conversationId: string;
  /** The id as given, when it was repaired. */
  input?: string;
  ok: boolean;
  messageId?: string;
  seq?: string;
  /** Plain (decoded) appinfo: equals the `appinfo` of the echo callback. */
  appinfo?: string;
  /** With `confirm`: whether the echo arrived in time. */
  confirmed?: boolean;
  /** Not attempted because an instance-wide error stopped the batch. */
  skipped?: boolean;
  error?: { code: number | string; kind: string; message: string; hint?: string; retryable: boolean };
}

export interface WeComHookSendDetails {
  targets: WeComHookTargetResult[];
  repaired: number;
  confirmed?: number;
  unconfirmed?: number;
}

export type WeComHookSendResult = SendResult & { details: WeComHookSendDetails };

export interface WeComHookClientStatus {
  status: number;
  state: 'stopped' | 'needs-login' | 'online' | 'unknown';
}

export interface WeComHookSessions {
  sessions: string[];
  pages: number;
  /** False when the page cap stopped the listing early. */
  complete: boolean;
}

export interface WeComHookChannel extends Channel<WeComHookNotification> {
  readonly type: 'wecom-hook';
  /** Feed parsed callbacks here (`confirmations.observe(parseWeComHookCallback(body))`) to confirm sends. */
  readonly confirmations: SendConfirmations;
  /** One conversation, or several (then like `sendBatch`); throws when nothing was delivered. */
  send(notification: WeComHookNotification): Promise<WeComHookSendResult>;
  /** Sends to many conversations with bounded concurrency; a per-target result, never throws for upstream errors. */
  sendBatch(conversationIds: readonly string[], notification: Omit<WeComHookNotification, 'to'>, options?: WeComHookOptions): Promise<WeComHookSendResult>;
  /** ok only when the client status is 2 (online). */
  check(): Promise<HealthStatus>;
  getClientStatus(): Promise<WeComHookClientStatus>;
  listClients(): Promise<string[]>;
  /** Follows `begin_seq` until the list is exhausted or the page cap is reached. */
  listSessions(options?: { pageSize?: number; maxPages?: number }): Promise<WeComHookSessions>;
  setNotifyUrl(notifyUrl: string): Promise<void>;
}

const STATES: Record<number, WeComHookClientStatus['state']> = { 0: 'stopped', 1: 'needs-login', 2: 'online' };

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function textOf(n: Omit<WeComHookNotification, 'to'>): string {
  if (n.type !== undefined && n.type !== 'text') {
    throw validationError('wecom-hook', 'INVALID_MESSAGE', `notification.type "${n.type}" is not supported`, 'The hook channel sends text; use type "text" or leave it out.');
  }
  const text = [n.title, toPlainText(n.content ?? '', n.format), n.url].filter((p) => typeof p === 'string' && p.trim() !== '').join('\n');
  if (text.trim() === '') throw validationError('wecom-hook', 'INVALID_MESSAGE', 'notification.content is required');
  return text;
}

export class WeComHookClient implements WeComHookChannel {
  readonly type = 'wecom-hook' as const;
  readonly confirmations = new SendConfirmations();
  private readonly pipeline: Pipeline;

  constructor(
    private readonly config: WeComHookConfig,
    ctx: ChannelContext,
  ) {
    this.pipeline = ctx.pipeline('wecom-hook', [config.appSecret, config.appKey]);
  }

  validate(notification: WeComHookNotification): void {
    const to = notification?.to;
    normalizeConversationIds(Array.isArray(to) ? to : to === undefined ? [] : [to]);
    textOf(notification);
  }

  async send(notification: WeComHookNotification, sendOptions?: SendOptions): Promise<WeComHookSendResult> {
    const to = notification.to;
    const ids = Array.isArray(to) ? to : to === undefined ? [] : [to];
    const { result, firstError, aborted } = await this.runBatch(ids, notification, notification.options, sendOptions?.signal);
    // An aborted send fails, with what reached the conversations before the abort.
    if (aborted) throw aborted.withPartial(result);
    if (result.messageIds.length === 0 && firstError) throw firstError.withPartial(result);
    return result;
  }

  async sendBatch(conversationIds: readonly string[], notification: Omit<WeComHookNotification, 'to'>, options: WeComHookOptions = {}): Promise<WeComHookSendResult> {
    return (await this.runBatch(conversationIds, notification, options)).result;
  }

  private async runBatch(
    conversationIds: readonly string[],
    notification: Omit<WeComHookNotification, 'to'>,
    options: WeComHookOptions = {},
    signal?: AbortSignal,
  ): Promise<{ result: WeComHookSendResult; firstError?: NotifyError; aborted?: NotifyError }> {
    if (!Array.isArray(conversationIds)) throw validationError('wecom-hook', 'INVALID_CONVERSATION_ID', 'conversation ids must be a list');
    const targets = dedupeTargets(normalizeConversationIds(conversationIds));
    const content = textOf(notification);
    const concurrency = options.concurrency ?? this.config.concurrency ?? WECOM_HOOK_LIMITS.defaultConcurrency;
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > WECOM_HOOK_LIMITS.maxConcurrency) {
      throw validationError('wecom-hook', 'INVALID_OPTIONS', `concurrency must be an integer from 1 to ${WECOM_HOOK_LIMITS.maxConcurrency}`);
    }
    const stats = new SendStats();
    let stop: NotifyError | undefined;
    const skipped = new Set<number>();
    const settled = await mapSettled(targets, concurrency, async (target, index) => {
      if (stop) {
        skipped.add(index);
        throw stop;
      }
      try {
        return await this.sendText(target.id, content, stats, signal);
      } catch (error) {
        if (isNotifyError(error) && (isInstanceWideError(error) || isAbortError(error))) stop ??= error;
        throw error;
      }
    });
    const results: WeComHookTargetResult[] = settled.map((s, i) => {
      const base = { conversationId: targets[i].id, ...(targets[i].repaired ? { input: targets[i].input } : {}) };
      if (s.status === 'fulfilled') return { ...base, ok: true, ...s.value };
      if (!isNotifyError(s.reason)) throw s.reason;
      const e = s.reason;
      return { ...base, ok: false, ...(skipped.has(i) ? { skipped: true } : {}), error: { code: e.code, kind: e.kind, message: e.upstreamMessage, hint: e.hint, retryable: e.retryable } };
    });
    const details: WeComHookSendDetails = { targets: results, repaired: targets.filter((t) => t.repaired).length };
    if (options.confirm) await this.awaitEchoes(results, details, options.confirmTimeoutMs);
    const partialFailures: PartialFailure[] = results
      .filter((r) => !r.ok)
      .map((r) => ({ target: 'conversation', id: r.conversationId, reason: r.skipped ? `skipped: ${r.error?.message ?? ''}` : (r.error?.message ?? 'failed'), code: r.error?.code }));
    const result = buildResult('wecom-hook', stats, {
      messageIds: results.filter((r) => r.ok && r.messageId).map((r) => r.messageId as string),
      batches: targets.length,
      partialFailures,
      details,
    }) as WeComHookSendResult;
    const firstFailure = settled.find((s, i): s is PromiseRejectedResult => s.status === 'rejected' && !skipped.has(i));
    return { result, firstError: firstFailure?.reason as NotifyError | undefined, aborted: stop && isAbortError(stop) ? stop : undefined };
  }

  async getClientStatus(): Promise<WeComHookClientStatus> {
    const body = await this.call('client/get_client_status', '/client/get_client_status', { guid: this.config.guid }, new SendStats());
    const status = Number(record(body.data).status);
    return { status, state: STATES[status] ?? 'unknown' };
  }

  async check(): Promise<HealthStatus> {
    try {
      const { status, state } = await this.getClientStatus();
      const messages: Record<string, string> = { online: 'client online', 'needs-login': 'client running, not logged in', stopped: 'client stopped' };
      return { ok: status === 2, message: messages[state] ?? `unknown client status ${status}`, details: { status, state } };
    } catch (error) {
      if (!isNotifyError(error)) throw error;
      return { ok: false, message: error.message, details: { code: error.code, kind: error.kind, hint: error.hint } };
    }
  }

  async listClients(): Promise<string[]> {
    const body = await this.call('client/all_clients', '/client/all_clients', {}, new SendStats());
    return Array.isArray(body.data) ? body.data.map((g) => String(g)) : [];
  }

  async listSessions(options: { pageSize?: number; maxPages?: number } = {}): Promise<WeComHookSessions> {
    const limit = options.pageSize ?? this.config.sessionPageSize ?? WECOM_HOOK_LIMITS.sessionPageSize;
    const maxPages = options.maxPages ?? this.config.maxSessionPages ?? WECOM_HOOK_LIMITS.maxSessionPages;
    const seen = new Set<string>();
    const stats = new SendStats();
    let cursor = '0';
    for (let page = 1; page <= maxPages; page++) {
      const body = await this.call('session/get_session_list', '/session/get_session_list', { guid: this.config.guid, begin_seq: cursor, limit }, stats);
      const data = record(body.data);
      const list = Array.isArray(data.session_list) ? data.session_list.map((s) => String(s)) : [];
      for (const s of list) seen.add(s);
      const next = idToString(data.begin_seq);
      if (list.length === 0 || list.length < limit || !next || next === cursor) return { sessions: [...seen], pages: page, complete: true };
      cursor = next;
    }
    return { sessions: [...seen], pages: maxPages, complete: false };
  }

  async setNotifyUrl(notifyUrl: string): Promise<void> {
    if (typeof notifyUrl !== 'string' || !/^https?:\/\/\S+$/i.test(notifyUrl)) {
      throw validationError('wecom-hook', 'INVALID_NOTIFY_URL', 'notifyUrl must be an http(s) URL the hook can reach');
    }
    await this.call('client/set_notify_url', '/client/set_notify_url', { guid: this.config.guid, notify_url: notifyUrl }, new SendStats());
  }

  private async sendText(conversationId: string, content: string, stats: SendStats, signal?: AbortSignal): Promise<Pick<WeComHookTargetResult, 'messageId' | 'seq' | 'appinfo'>> {
    const operation = 'msg/send_text';
    const body = await this.call(operation, '/msg/send_text', { guid: this.config.guid, conversation_id: conversationId, content }, stats, (res) => {
      const outcome = parseWeComHookResponse(this.pipeline, operation, res);
      if (outcome.kind === 'ok' && record(outcome.value.data).is_svr_fail === true) {
        return fromTable(this.pipeline, operation, 'SVR_FAIL', 'the server reported is_svr_fail', res.status, 'upstream');
      }
      return outcome;
    }, signal);
    const msg = record(record(body.data).msg_data);
    const appinfo = typeof msg.appinfo === 'string' && msg.appinfo !== '' ? canonicalAppinfo(msg.appinfo) : undefined;
    return { messageId: idToString(msg.id), seq: idToString(msg.seq), ...(appinfo ? { appinfo } : {}) };
  }

  private async awaitEchoes(results: WeComHookTargetResult[], details: WeComHookSendDetails, timeoutMs?: number): Promise<void> {
    await Promise.all(
      results.map(async (r) => {
        if (!r.ok) return;
        r.confirmed = r.appinfo ? await this.confirmations.wait(r.appinfo, timeoutMs) : false;
      }),
    );
    details.confirmed = results.filter((r) => r.confirmed === true).length;
    details.unconfirmed = results.filter((r) => r.confirmed === false).length;
  }

  private call(
    operation: string,
    path: string,
    data: Record<string, unknown>,
    stats: SendStats,
    parse?: (res: HttpResponse) => Outcome<Record<string, unknown>>,
    signal?: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const { mode, baseUrl, appKey, appSecret, guid, rateLimit, timeoutMs } = this.config;
    const gateway = mode === 'gateway';
    return this.pipeline.call(
      {
        operation,
        rate: rateLimit ? { key: `wecom-hook:${baseUrl}:${guid}`, rule: rateLimit } : undefined,
        build: () => ({
          method: 'POST',
          url: gateway ? `${baseUrl}/open/GuidRequest` : `${baseUrl}${path}`,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(gateway ? { app_key: appKey, app_secret: appSecret, path, data } : data),
          ...(timeoutMs ? { timeoutMs } : {}),
        }),
        parse: parse ?? ((res) => parseWeComHookResponse(this.pipeline, operation, res)),
      },
      stats,
      signal,
    );
  }
}

function dedupeTargets(targets: NormalizedConversationId[]): NormalizedConversationId[] {
  const seen = new Set<string>();
  return targets.filter((t) => (seen.has(t.id) ? false : (seen.add(t.id), true)));
}
