import { idToString } from '../../engine/json';
import type { Pipeline } from '../../engine/pipeline';
import { channelGateBasics, QuotaGate, type QuotaTicket } from '../../engine/quota-gate';
import { resolveQuotas } from '../../engine/quotas';
import type { RateRule } from '../../engine/rate-limiter';
import { isAbortError, isNotifyError, NotifyError } from '../../model/notify-error';
import { buildResult, SendStats, type PartialFailure, type SendResult } from '../../model/send-result';
import type { Channel, ChannelContext, HealthStatus, SendOptions } from '../types';
import { GEWECHAT_QUOTAS, type GewechatConfig } from './config';
import { parseGewechatResponse } from './errors';
import { planGewechatSend, type GewechatNotification, type GewechatSendPlan } from './message';

/** One delivered message; ids are strings because they are 64-bit. */
export interface GewechatSentMessage {
  toWxid: string;
  newMsgId?: string;
  msgId?: string;
  createTime?: number;
  type?: number;
}

export interface GewechatSendDetails {
  /** Ids of the first delivered message (the common single-recipient case). */
  newMsgId?: string;
  msgId?: string;
  messages: GewechatSentMessage[];
}

export interface GewechatContacts {
  friends: string[];
  chatrooms: string[];
  ghs: string[];
}

export interface GewechatChannel extends Channel<GewechatNotification> {
  readonly type: 'gewechat';
  send(notification: GewechatNotification): Promise<SendResult & { details: GewechatSendDetails }>;
  /** `{ok:false, message:'用户未登录'}` when the account is offline. */
  check(): Promise<HealthStatus>;
  isOnline(): Promise<boolean>;
  /** `cached: true` uses the server's 10-minute cache (fast); otherwise a full, slow fetch. */
  fetchContacts(options?: { cached?: boolean }): Promise<GewechatContacts>;
  /** Registers the URL the server posts callbacks to (the server then sends a `testMsg` probe). */
  setCallback(callbackUrl: string): Promise<void>;
}

const CONTACTS_TIMEOUT_MS = 60_000;
/** Merged storm texts are kept short enough to read on a phone (personal WeChat publishes no limit). */
const GEWECHAT_MERGED_TEXT_BYTES = 4096;
/** Sends are counted by the quota gate; the pipeline only sits out blocks on the account key. */
const BLOCKS_ONLY: RateRule = { limit: Infinity, windowMs: 60_000 };

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function sentMessage(toWxid: string, data: unknown): GewechatSentMessage {
  const d = record(data);
  const createTime = Number(d.createTime);
  const type = Number(d.type);
  return {
    toWxid: typeof d.toWxid === 'string' ? d.toWxid : toWxid,
    newMsgId: idToString(d.newMsgId),
    msgId: idToString(d.msgId),
    ...(Number.isFinite(createTime) && d.createTime !== undefined ? { createTime } : {}),
    ...(Number.isFinite(type) && d.type !== undefined ? { type } : {}),
  };
}

export class GewechatClient implements GewechatChannel {
  readonly type = 'gewechat' as const;
  private readonly pipeline: Pipeline;
  private readonly gate: QuotaGate<GewechatNotification>;
  private readonly accountKey: string;
  private readonly accountRules: readonly RateRule[];

  constructor(
    private readonly config: GewechatConfig,
    ctx: ChannelContext,
  ) {
    this.pipeline = ctx.pipeline('gewechat', [config.token]);
    // One budget per logged-in account: the quota gate counts messages, the pipeline only honours blocks.
    this.accountKey = `gewechat:${config.baseUrl}:${config.appId}`;
    const rate = config.rateLimit;
    this.accountRules = resolveQuotas('gewechat', GEWECHAT_QUOTAS, { messagesPerAccount: rate === false ? false : { limit: rate?.limit, windowMs: rate?.windowMs }, ...config.quotas }).sender;
    this.gate = new QuotaGate<GewechatNotification>({
      ...channelGateBasics('gewechat', ctx, config.onQuota),
      layout: { maxBytes: GEWECHAT_MERGED_TEXT_BYTES },
      deliver: (n) => this.deliver(n, planGewechatSend(n)),
      merged: (text, first) => ({ content: text, format: 'text', to: first.to }),
    });
  }

  validate(notification: GewechatNotification): void {
    planGewechatSend(notification);
  }

  send(notification: GewechatNotification, options?: SendOptions): Promise<SendResult & { details: GewechatSendDetails }> {
    let plan: GewechatSendPlan;
    try {
      plan = planGewechatSend(notification);
    } catch (error) {
      return Promise.reject(error);
    }
    const ticket: QuotaTicket = {
      keys: [this.accountKey],
      rules: this.accountRules,
      units: plan.recipients.length,
      group: `${this.accountKey}>${[...plan.recipients].sort().join(',')}`,
      mergeable: plan.type === 'text' && !notification.options?.ats && !notification.options?.atAll,
    };
    return this.gate.send(notification, ticket, () => this.deliver(notification, plan, options?.signal, ticket), options?.signal) as Promise<SendResult & { details: GewechatSendDetails }>;
  }

  /** Sends as it is (budget taken); recipients past a window's worth of `ticket` wait for a slot each. */
  private async deliver(_notification: GewechatNotification, plan: GewechatSendPlan, signal?: AbortSignal, ticket?: QuotaTicket): Promise<SendResult & { details: GewechatSendDetails }> {
    const options = { signal };
    const upfront = ticket ? this.gate.upfront(ticket) : plan.recipients.length;
    const stats = new SendStats();
    const messages: GewechatSentMessage[] = [];
    const partialFailures: PartialFailure[] = [];
    let firstError: NotifyError | undefined;
    let aborted: NotifyError | undefined;
    // One recipient after the other: a personal account should not burst.
    for (const [index, toWxid] of plan.recipients.entries()) {
      if (ticket && index >= upfront) await this.gate.slot(ticket, signal);
      try {
        const data = await this.call(`message/${plan.type}`, plan.path, { appId: this.config.appId, toWxid, ...plan.body }, stats, true, undefined, options?.signal);
        messages.push(sentMessage(toWxid, data));
      } catch (error) {
        if (!isNotifyError(error)) throw error;
        if (isAbortError(error)) {
          aborted = error;
          break;
        }
        firstError ??= error;
        partialFailures.push({ target: 'wxid', id: toWxid, reason: error.upstreamMessage, code: error.code });
      }
    }
    const details: GewechatSendDetails = { newMsgId: messages[0]?.newMsgId, msgId: messages[0]?.msgId, messages };
    const result = buildResult('gewechat', stats, {
      messageIds: messages.map((m) => m.newMsgId ?? m.msgId ?? '').filter((id) => id !== ''),
      batches: plan.recipients.length,
      partialFailures,
      details,
    }) as SendResult & { details: GewechatSendDetails };
    // An aborted send fails, with what reached the recipients before the abort.
    if (aborted) throw aborted.withPartial(result);
    if (messages.length === 0 && firstError) throw firstError.withPartial(result);
    return result;
  }

  async isOnline(): Promise<boolean> {
    const data = await this.call('login/checkOnline', '/login/checkOnline', { appId: this.config.appId }, new SendStats());
    return data === true || data === 'true';
  }

  async check(): Promise<HealthStatus> {
    try {
      const online = await this.isOnline();
      return online
        ? { ok: true, message: 'online', details: { appId: this.config.appId } }
        : { ok: false, message: '用户未登录', details: { appId: this.config.appId, hint: 'The WeChat account is offline: scan the login QR code on the gewechat server again.' } };
    } catch (error) {
      if (!isNotifyError(error)) throw error;
      return { ok: false, message: error.message, details: { code: error.code, kind: error.kind, hint: error.hint } };
    }
  }

  async fetchContacts(options: { cached?: boolean } = {}): Promise<GewechatContacts> {
    const path = options.cached ? '/contacts/fetchContactsListCache' : '/contacts/fetchContactsList';
    const data = record(await this.call(`contacts/${options.cached ? 'cached' : 'fetch'}`, path, { appId: this.config.appId }, new SendStats(), false, CONTACTS_TIMEOUT_MS));
    return { friends: strings(data.friends), chatrooms: strings(data.chatrooms), ghs: strings(data.ghs) };
  }

  async setCallback(callbackUrl: string): Promise<void> {
    if (typeof callbackUrl !== 'string' || !/^https?:\/\/\S+$/i.test(callbackUrl)) {
      throw new NotifyError({ channel: 'gewechat', code: 'INVALID_CALLBACK_URL', kind: 'validation', retryable: false, message: 'callbackUrl must be an http(s) URL the gewechat server can reach' });
    }
    await this.call('tools/setCallback', '/tools/setCallback', { token: this.config.token, callbackUrl }, new SendStats());
  }

  private call(operation: string, path: string, body: Record<string, unknown>, stats: SendStats, paced = false, timeoutMs?: number, signal?: AbortSignal): Promise<unknown> {
    const { baseUrl, tokenHeader, token, rateLimit } = this.config;
    return this.pipeline.call(
      {
        operation,
        rate: paced && rateLimit ? { key: this.accountKey, rule: BLOCKS_ONLY } : undefined,
        build: () => ({
          method: 'POST',
          url: `${baseUrl}${path}`,
          headers: { 'content-type': 'application/json', [tokenHeader ?? 'X-GEWE-TOKEN']: token },
          body: JSON.stringify(body),
          ...(timeoutMs ? { timeoutMs: Math.max(timeoutMs, this.config.timeoutMs ?? 0) } : this.config.timeoutMs ? { timeoutMs: this.config.timeoutMs } : {}),
        }),
        parse: (res) => parseGewechatResponse(this.pipeline, operation, res),
      },
      stats,
      signal,
    );
  }
}
