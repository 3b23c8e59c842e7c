import { mapSettled } from '../../engine/concurrency';
import type { CallSpec, Pipeline } from '../../engine/pipeline';
import { channelGateBasics, QuotaGate, type QuotaTicket } from '../../engine/quota-gate';
import { resolveQuotas, type QuotaOverrides } from '../../engine/quotas';
import type { RateRule } from '../../engine/rate-limiter';
import { codePoints } from '../../engine/split';
import { isNotifyError, NotifyError } from '../../model/notify-error';
import { buildResult, SendStats, type PartialFailure, type SendResult } from '../../model/send-result';
import type { ChannelContext, HealthStatus, SendOptions } from '../types';
import { asList } from '../../engine/lists';
import { secretKeyHash } from '../../engine/keys';
import type { WxPusherConfig } from './config';
import { wxPusherLimits, wxPusherQuotas } from './limits';
import { classifyWxPusher } from './envelope';
import { WxPusherManagement } from './management';
import { planWxPusherSend, type WxPusherBatch, type WxPusherNotification, type WxPusherPlan } from './plan';
import { batchFailures, readSendRecords, recordFailures, type WxPusherSendRecord } from './records';

/** `SendResult.details` of a WxPusher send. */
export interface WxPusherSendDetails {
  /** One per call (shared by the targets of that call). */
  messageContentIds: string[];
  /** One per target and part, with its `sendRecordId`. */
  records: WxPusherSendRecord[];
}

/** Standard push (appToken → uids/topics) and simple push (SPTs), plus the management API. */
export class WxPusherClient extends WxPusherManagement {
  readonly type = 'wxpusher' as const;
  private readonly rate: { standardKey: string; simpleKey: string; rule: RateRule };
  private readonly gate: QuotaGate<WxPusherNotification>;
  private readonly tokenRules: readonly RateRule[];
  private readonly pipe: Pipeline;

  constructor(
    private readonly cfg: WxPusherConfig,
    ctx: ChannelContext,
  ) {
    const pipe = ctx.pipeline('wxpusher', [cfg.appToken, ...[cfg.spt ?? []].flat()]);
    super(cfg, pipe, ctx.clock);
    this.pipe = pipe;
    const tokenHash = cfg.appToken ? secretKeyHash(cfg.appToken, 16) : 'none';
    // The quota gate counts send calls per token; the pipeline only sits out blocks on the key.
    this.rate = { standardKey: `wxpusher:${tokenHash}`, simpleKey: 'wxpusher:simple-push', rule: { limit: Infinity, windowMs: cfg.rateLimit!.windowMs } };
    const override: QuotaOverrides = cfg.rateLimit ? { callsPerToken: { limit: cfg.rateLimit.limit, windowMs: cfg.rateLimit.windowMs } } : {};
    // WxPusher answers an error past its rate, never a silent drop: no slack on its 10 s window.
    this.tokenRules = resolveQuotas('wxpusher', wxPusherQuotas, { ...override, ...cfg.quotas }, 0).sender;
    this.gate = new QuotaGate<WxPusherNotification>({
      ...channelGateBasics('wxpusher', ctx, cfg.onQuota),
      layout: { maxBytes: wxPusherLimits.contentMaxChars, measure: codePoints },
      deliver: (n) => this.deliver(planWxPusherSend(n, this.cfg)),
      merged: (text, first) => ({ content: text, format: 'text', summary: text.split('\n')[0], to: first.to, ...(first.options ? { options: first.options } : {}) }),
    });
  }

  validate(notification: WxPusherNotification): void {
    planWxPusherSend(notification, this.cfg);
  }

  send(notification: WxPusherNotification, options?: SendOptions): Promise<SendResult> {
    let plan: WxPusherPlan;
    try {
      plan = planWxPusherSend(notification, this.cfg);
    } catch (error) {
      return Promise.reject(error);
    }
    const keys = [...new Set(plan.batches.map((b) => (b.kind === 'standard' ? this.rate.standardKey : this.rate.simpleKey)))];
    const ticket: QuotaTicket = {
      keys,
      rules: this.tokenRules,
      units: plan.parts.length * plan.batches.length,
      group: `${keys.join(',')}>${JSON.stringify(plan.batches)}|${plan.verifyPayType ?? ''}`,
      mergeable: true,
    };
    return this.gate.send(notification, ticket, () => this.deliver(plan, options?.signal, ticket), options?.signal);
  }

  /** Sends a plan (budget taken); calls past a window's worth of `ticket` wait for a slot each. */
  private async deliver(plan: WxPusherPlan, signal?: AbortSignal, ticket?: QuotaTicket): Promise<SendResult> {
    const upfront = ticket ? this.gate.upfront(ticket) : Infinity;
    let calls = 0;
    const stats = new SendStats();
    const records: WxPusherSendRecord[] = [];
    const failed: PartialFailure[] = [];
    const contentIds = new Set<string>();
    let partsSent = 0;
    let firstError: NotifyError | undefined;

    // Parts go out in order; the batches of one part go out side by side.
    for (const [index, part] of plan.parts.entries()) {
      const settled = await mapSettled(plan.batches, this.cfg.concurrency ?? 2, async (batch) => {
        if (ticket && calls++ >= upfront) await this.gate.slot(ticket, signal);
        return this.pipe.call(this.sendSpec(plan, part, batch), stats, signal);
      });
      partsSent++;
      settled.forEach((outcome, i) => {
        const batch = plan.batches[i];
        if (outcome.status === 'fulfilled') {
          const got = readSendRecords(outcome.value, batch, index + 1);
          records.push(...got);
          for (const r of got) if (r.messageContentId) contentIds.add(r.messageContentId);
        } else {
          const error = asNotifyError(outcome.reason, (t) => this.pipe.redact(t));
          firstError ??= error;
          failed.push(...batchFailures(batch, error.upstreamMessage, error.code).map((f) => ({ ...f, reason: `part ${index + 1}: ${f.reason}` })));
        }
      });
      if (firstError) break;
    }

    const result = buildResult('wxpusher', stats, {
      messageIds: [...contentIds],
      parts: partsSent,
      batches: plan.batches.length,
      partialFailures: [...recordFailures(records), ...failed],
      details: { messageContentIds: [...contentIds], records } satisfies WxPusherSendDetails,
    });
    if (firstError) throw firstError.withPartial(result);
    return result;
  }

  /**
   * With an appToken: lists one follower (harmless, proves the token). SPT-only configs: WxPusher has
   * no silent SPT probe, so only the format is checked.
   */
  async check(): Promise<HealthStatus> {
    if (!this.cfg.appToken) {
      const count = asList(this.cfg.spt).length;
      return { ok: true, message: `SPT format ok (${count} token${count === 1 ? '' : 's'}; not verified online)`, details: { mode: 'simple-push' } };
    }
    try {
      const page = await this.listUsers({ page: 1, pageSize: 1 });
      return { ok: true, message: 'appToken ok', details: { mode: 'standard', followers: page.total } };
    } catch (error) {
      if (!isNotifyError(error)) throw error;
      return { ok: false, message: error.message, details: { code: error.code, retryable: error.retryable } };
    }
  }

  private sendSpec(plan: WxPusherPlan, content: string, batch: WxPusherBatch): CallSpec<unknown> {
    const common = {
      content,
      contentType: plan.contentType,
      ...(plan.summary !== undefined ? { summary: plan.summary } : {}),
      ...(plan.url !== undefined ? { url: plan.url } : {}),
    };
    let operation: string;
    let path: string;
    let body: Record<string, unknown>;
    let key: string;
    if (batch.kind === 'standard') {
      operation = 'send/message';
      path = '/api/send/message';
      key = this.rate.standardKey;
      body = {
        appToken: this.cfg.appToken,
        ...common,
        ...(batch.uids.length > 0 ? { uids: batch.uids } : {}),
        ...(batch.topicIds.length > 0 ? { topicIds: batch.topicIds } : {}),
        ...(plan.verifyPayType !== undefined ? { verifyPayType: plan.verifyPayType } : {}),
      };
    } else {
      operation = 'send/message/simple-push';
      path = '/api/send/message/simple-push';
      key = this.rate.simpleKey;
      body = { ...common, ...(batch.spts.length === 1 ? { spt: batch.spts[0] } : { sptList: batch.spts }) };
    }
    const text = JSON.stringify(body);
    return {
      operation,
      rate: { key, rule: this.rate.rule },
      build: () => ({ method: 'POST', url: `${this.cfg.baseUrl}${path}`, headers: { 'content-type': 'application/json' }, body: text }),
      parse: (res) => classifyWxPusher(this.pipe, operation, res),
    };
  }
}

function asNotifyError(reason: unknown, redact: (text: string) => string): NotifyError {
  if (isNotifyError(reason)) return reason;
  return new NotifyError({ channel: 'wxpusher', code: 'UNEXPECTED', kind: 'network', retryable: false, message: redact(String(reason)) });
}
