import { Body, Controller, Get, Headers, HttpCode, Inject, Ip, Param, Post, Query } from '@nestjs/common';
import { isAlertPayloadError, isNotifyError, parseAlerts, type AlertFormat } from '@wxnotify/core';
import { AlertInputError, describeSilence } from '../alerts/alert-service.js';
import { GatewayRuntime } from '../runtime.js';
import { presentedApiKey } from '../services/api-keys.js';
import type { CodeRecord } from '../store/store.js';
import { ApiError } from './api-error.js';
import { bodyObject } from './input.js';

const FORMATS = ['alertmanager', 'grafana', 'json', 'auto'];
const UNKNOWN_CODES_PER_MINUTE = 120;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Alert webhooks: `POST /api/alerts/{code}` takes Alertmanager, Grafana or plain JSON and answers
 * 200 once the alerts are stored (delivery follows from the store). The Code in the path
 * authorises the call; with `Authorization: Bearer <api key>` the path may carry the Code's id
 * instead, so no secret sits in the URL.
 */
@Controller('api/alerts')
export class AlertsController {
  constructor(@Inject(GatewayRuntime) private readonly rt: GatewayRuntime) {}

  @Post(':code')
  @HttpCode(200)
  async receive(
    @Param('code') code: string,
    @Body() raw: unknown,
    @Query('format') format: string | undefined,
    @Headers() headers: Record<string, string | string[] | undefined>,
    @Ip() ip: string,
  ): Promise<Record<string, unknown>> {
    const record = await this.authorise(code, headers, ip);
    if (format !== undefined && !FORMATS.includes(format)) throw ApiError.of(400, 'INVALID_FIELD', '"format" must be alertmanager, grafana or json.', { field: 'format' });
    if (raw === undefined || raw === null || typeof raw !== 'object') {
      throw ApiError.of(400, 'INVALID_BODY', 'The body must be a JSON object or list, sent with Content-Type: application/json.', { field: 'body' });
    }
    const alerts = this.rt.alerts!;
    let batch;
    try {
      batch = parseAlerts(raw, { format: format as AlertFormat | 'auto' | undefined, now: alerts.now() });
    } catch (error) {
      if (isAlertPayloadError(error)) {
        // Bounded label: indexes folded, label names cut (alerts[].labels, not alerts[3].labels.team).
        this.rt.metrics.inc('wxnotify_alerts_rejected_total', { field: error.field.replace(/\[\d+\]/g, '[]').split('.').slice(0, 2).join('.') });
        throw ApiError.of(400, error.code as string, error.upstreamMessage, { field: error.field, ...(error.hint ? { hint: error.hint } : {}) });
      }
      throw error;
    }
    // Delivery follows on the engine's poll (groupWait has to pass first anyway).
    const result = await alerts.engine.intake(record, batch);
    return { success: true, format: batch.format, accepted: result.alerts, groups: result.groups };
  }

  /** `{matchers: ["alertname=\"DiskFull\""], duration: "2h", comment?}`: mutes matching alerts of this Code. */
  @Post(':code/silence')
  @HttpCode(201)
  async silence(@Param('code') code: string, @Body() raw: unknown, @Headers() headers: Record<string, string | string[] | undefined>, @Ip() ip: string): Promise<Record<string, unknown>> {
    const record = await this.authorise(code, headers, ip);
    const alerts = this.rt.alerts!;
    try {
      const silence = await alerts.silence(record, bodyObject(raw));
      return { success: true, ...describeSilence(silence, alerts.now()) };
    } catch (error) {
      throw asInputError(error);
    }
  }

  /** `{groupKey}` or `{groupId}`: the group stops repeating until it resolves. */
  @Post(':code/ack')
  @HttpCode(200)
  async acknowledge(@Param('code') code: string, @Body() raw: unknown, @Headers() headers: Record<string, string | string[] | undefined>, @Ip() ip: string): Promise<Record<string, unknown>> {
    const record = await this.authorise(code, headers, ip);
    const alerts = this.rt.alerts!;
    try {
      const group = await alerts.acknowledge(record, bodyObject(raw));
      return { success: true, group: await alerts.summarize(group) };
    } catch (error) {
      throw asInputError(error);
    }
  }

  /** Active groups of this Code and its silences. */
  @Get(':code')
  async list(@Param('code') code: string, @Headers() headers: Record<string, string | string[] | undefined>, @Ip() ip: string): Promise<Record<string, unknown>> {
    const record = await this.authorise(code, headers, ip);
    const alerts = this.rt.alerts!;
    const silences = await alerts.store.listSilences({ codeId: record.id, limit: 100 });
    return { success: true, groups: await alerts.groups({ codeId: record.id, state: 'active' }), silences: silences.map((s) => describeSilence(s, alerts.now())) };
  }

  private async authorise(code: string, headers: Record<string, string | string[] | undefined>, ip: string): Promise<CodeRecord> {
    const presented = presentedApiKey(headers);
    const identity = presented === undefined ? undefined : await this.rt.apiKeys.verify(presented);
    if (presented !== undefined && !identity) throw ApiError.of(401, 'UNAUTHORIZED', 'The API key sent with this request is not valid (the Code alone is enough here).');
    let record = await this.rt.codes.resolve(code);
    if (!record && identity && UUID.test(code)) {
      const byId = await this.rt.codes.get(code);
      if (byId && !byId.revokedAt) record = byId;
    }
    if (!record) {
      const decision = await this.rt.limiter.take(`code-miss:${ip}`, UNKNOWN_CODES_PER_MINUTE);
      if (!decision.allowed) throw ApiError.of(429, 'RATE_LIMITED', 'Too many requests with unknown Codes from this address.', {}, { 'Retry-After': String(decision.retryAfterSeconds) });
      throw ApiError.of(404, 'UNKNOWN_CODE', 'No active Code matches (with an API key, the Code id works too).', { hint: 'Create a Code on the gateway page or with `wxnotify codes create`.' });
    }
    return record;
  }
}

function asInputError(error: unknown): ApiError {
  if (error instanceof AlertInputError) return ApiError.of(400, 'INVALID_FIELD', error.message, { field: error.field });
  if (isNotifyError(error) && error.kind === 'validation') return ApiError.of(400, String(error.code), error.upstreamMessage);
  if (error instanceof ApiError) return error;
  throw error;
}
