import { mapSettled } from '../../engine/concurrency';
import { tryParseJson } from '../../engine/json';
import { uniqueTrimmed } from '../../engine/lists';
import type { CallSpec, Pipeline } from '../../engine/pipeline';
import type { Notification } from '../../model/notification';
import { isNotifyError, NotifyError, validationError } from '../../model/notify-error';
import { buildResult, SendStats, type PartialFailure, type SendResult } from '../../model/send-result';
import { TransportError, type HttpResponse } from '../../transport/transport';
import type { HealthStatus, SendOptions } from '../types';
import type { GatewayConfig, GatewayRecipients } from './config';
import { classifyGateway, type GatewayDelivery, type GatewayRoute } from './responses';

export type GatewayNotification = Notification<GatewayRecipients>;

/** `SendResult.details` of a gateway send: one entry per call. */
export interface GatewaySendDetails {
  route: GatewayRoute;
  deliveries: Array<{ wxid?: string } & GatewayDelivery>;
}

/** Client for a wxnotify-compatible notify gateway (`/api/notify`, `/api/notify/{code}`, `/health`). */
export class GatewayClient {
  readonly type = 'gateway' as const;

  constructor(
    private readonly config: GatewayConfig,
    private readonly pipeline: Pipeline,
  ) {}

  validate(notification: GatewayNotification): void {
    this.recipientsOf(notification);
  }

  /** The wxids to send to (empty: the config Code's route); throws for a notification that cannot be sent. */
  private recipientsOf(notification: GatewayNotification): string[] {
    if (typeof notification?.content !== 'string' || notification.content.trim() === '') {
      throw validationError('gateway', 'EMPTY_CONTENT', 'content is required', 'Give the notification some content.');
    }
    const wxids = uniqueTrimmed(notification.to?.wxid ?? (notification.to ? undefined : this.config.defaultTo?.wxid));
    if (wxids.length === 0 && !this.config.code) {
      throw validationError('gateway', 'NO_RECIPIENTS', 'no wxid and no code', 'Give to.wxid (POST /api/notify) or set code in the config (POST /api/notify/{code}).');
    }
    return wxids;
  }

  async send(notification: GatewayNotification, options?: SendOptions): Promise<SendResult> {
    const signal = options?.signal;
    const wxids = this.recipientsOf(notification);
    const stats = new SendStats();
    const content = notification.url ? `${notification.content}\n${notification.url}` : notification.content;

    if (wxids.length === 0) {
      const delivery = await this.pipeline.call(this.codeSpec(notification.title, content), stats, signal);
      return buildResult('gateway', stats, { messageIds: ids([delivery]), details: { route: 'code', deliveries: [delivery] } satisfies GatewaySendDetails });
    }

    // Seed contract: `/api/notify` takes only {wxid, content}, so a title becomes the first line.
    const text = notification.title ? `${notification.title}\n\n${content}` : content;
    const settled = await mapSettled(wxids, this.config.concurrency ?? 4, (wxid) => this.pipeline.call(this.wxidSpec(wxid, text), stats, signal));
    const deliveries: GatewaySendDetails['deliveries'] = [];
    const failures: PartialFailure[] = [];
    let firstError: NotifyError | undefined;
    settled.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') {
        deliveries.push({ wxid: wxids[i], ...outcome.value });
      } else {
        const error = isNotifyError(outcome.reason)
          ? outcome.reason
          : new NotifyError({ channel: 'gateway', code: 'UNEXPECTED', kind: 'network', retryable: false, message: this.pipeline.redact(String(outcome.reason)) });
        firstError ??= error;
        failures.push({ target: 'wxid', id: wxids[i], reason: error.upstreamMessage, code: error.code });
      }
    });
    const result = buildResult('gateway', stats, {
      messageIds: ids(deliveries),
      batches: wxids.length,
      partialFailures: failures,
      details: { route: 'wxid', deliveries } satisfies GatewaySendDetails,
    });
    if (firstError) throw firstError.withPartial(result);
    return result;
  }

  /**
   * With a Code: `GET /api/notify/{code}/check`, which proves the Code without sending anything
   * (a gateway without that route falls back to `/health`). Without one: `GET /health` →
   * `{status: 'ok' | 'error', message}`. Never throws for gateway or network failures.
   */
  async check(): Promise<HealthStatus> {
    if (this.config.code) {
      const codeCheck = await this.get(`/api/notify/${encodeURIComponent(this.config.code)}/check`);
      if ('ok' in codeCheck) return codeCheck;
      const body = tryParseJson(codeCheck.res.text) as { valid?: unknown; name?: unknown; code?: unknown; message?: unknown } | undefined;
      if (codeCheck.res.status === 200 && body?.valid === true) {
        const name = typeof body.name === 'string' ? body.name : '';
        return { ok: true, message: this.pipeline.redact(`Code valid${name ? `: ${name}` : ''}`), details: { httpStatus: 200, name } };
      }
      if (codeCheck.res.status !== 404 || body?.code === 'UNKNOWN_CODE') {
        const reason = typeof body?.message === 'string' ? body.message : `HTTP ${codeCheck.res.status}`;
        return { ok: false, message: this.pipeline.redact(`Code rejected by the gateway: ${reason}`), details: { httpStatus: codeCheck.res.status, code: body?.code } };
      }
    }
    const health = await this.get('/health');
    if ('ok' in health) return health;
    const { res } = health;
    const body = tryParseJson(res.text) as { status?: unknown; message?: unknown } | undefined;
    const status = typeof body?.status === 'string' ? body.status : undefined;
    const message = typeof body?.message === 'string' ? this.pipeline.redact(body.message) : undefined;
    if (!status) {
      return { ok: false, message: this.pipeline.redact(`not a gateway health answer (HTTP ${res.status})`), details: { httpStatus: res.status } };
    }
    return { ok: status === 'ok' && res.status < 400, message: message ?? status, details: { status, httpStatus: res.status } };
  }

  /** A GET for check(): the response, or the failed HealthStatus when the gateway is unreachable. */
  private async get(path: string): Promise<{ res: HttpResponse } | HealthStatus> {
    try {
      return { res: await this.pipeline.deps.transport.request({ method: 'GET', url: `${this.config.baseUrl}${path}`, headers: this.headers(), timeoutMs: this.pipeline.deps.retry.timeoutMs }) };
    } catch (error) {
      if (!(error instanceof TransportError)) throw error;
      return { ok: false, message: this.pipeline.redact(`gateway unreachable: ${error.code}`), details: { code: error.code } };
    }
  }

  private headers(json = false): Record<string, string> {
    return {
      ...(json ? { 'content-type': 'application/json' } : {}),
      ...(this.config.apiKey ? { authorization: `Bearer ${this.config.apiKey}` } : {}),
    };
  }

  private wxidSpec(wxid: string, content: string): CallSpec<GatewayDelivery> {
    return this.spec('wxid', 'notify', '/api/notify', { wxid, content });
  }

  private codeSpec(title: string | undefined, content: string): CallSpec<GatewayDelivery> {
    return this.spec('code', 'notify/{code}', `/api/notify/${encodeURIComponent(this.config.code!)}`, { ...(title ? { title } : {}), content });
  }

  private spec(route: GatewayRoute, operation: string, path: string, body: Record<string, unknown>): CallSpec<GatewayDelivery> {
    const text = JSON.stringify(body);
    return {
      operation,
      ...(this.config.rateLimit ? { rate: { key: `gateway:${this.config.baseUrl}`, rule: this.config.rateLimit } } : {}),
      build: () => ({ method: 'POST', url: `${this.config.baseUrl}${path}`, headers: this.headers(true), body: text }),
      parse: (res) => classifyGateway(this.pipeline, route, operation, res),
    };
  }
}

function ids(deliveries: GatewayDelivery[]): string[] {
  return deliveries.map((d) => d.messageId).filter((id): id is string => id !== undefined);
}
