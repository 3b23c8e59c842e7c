import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { isNotifyError } from '@wxnotify/core';
import { AlertInputError, describeSilence } from '../alerts/alert-service.js';
import { describeAlertSettings } from '../alerts/settings.js';
import { GatewayRuntime } from '../runtime.js';
import { ApiError, describeSendError } from './api-error.js';
import { AdminGuard } from './guards.js';
import { bodyObject } from './input.js';

function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof AlertInputError) return ApiError.of(400, 'INVALID_FIELD', error.message, { field: error.field });
  if (isNotifyError(error)) return new ApiError(error.kind === 'validation' ? 400 : 502, { success: false, ...describeSendError(error) });
  throw error;
}

/** A row that records an alert card update (never a message: resend refuses it). */
function isCardUpdate(stored: string): boolean {
  try {
    return (JSON.parse(stored) as { cardUpdate?: boolean }).cardUpdate === true;
  } catch {
    return false;
  }
}

/** The page's Alerts view and Delivery log. */
@Controller('admin/api/alerts')
@UseGuards(AdminGuard)
export class AdminAlertsController {
  constructor(@Inject(GatewayRuntime) private readonly rt: GatewayRuntime) {}

  /** Active groups (or `?state=resolved` history), with silences. */
  @Get()
  async overview(@Query('state') state: string | undefined, @Query('codeId') codeId: string | undefined): Promise<Record<string, unknown>> {
    const alerts = this.rt.alerts!;
    const wanted = state === 'resolved' ? 'resolved' : 'active';
    const silences = await alerts.store.listSilences({ ...(codeId ? { codeId } : {}), limit: 200 });
    return {
      success: true,
      state: wanted,
      groups: await alerts.groups({ state: wanted, ...(codeId ? { codeId } : {}) }),
      silences: silences.map((s) => describeSilence(s, alerts.now())),
    };
  }

  @Post('groups/:id/ack')
  @HttpCode(200)
  async acknowledge(@Param('id') id: string): Promise<Record<string, unknown>> {
    if (!(await this.rt.alerts!.acknowledgeById(id, 'admin'))) throw ApiError.of(404, 'UNKNOWN_GROUP', 'No active group with this id.');
    return { success: true, id, acknowledged: true };
  }

  /** `{codeId, matchers, duration, comment?}` */
  @Post('silences')
  @HttpCode(201)
  async silence(@Body() raw: unknown): Promise<Record<string, unknown>> {
    const body = bodyObject(raw);
    const record = typeof body.codeId === 'string' ? await this.rt.codes.get(body.codeId) : undefined;
    if (!record || record.revokedAt) throw ApiError.of(400, 'INVALID_FIELD', '"codeId" must be the id of an active Code.', { field: 'codeId' });
    try {
      const silence = await this.rt.alerts!.silence(record, { ...body, createdBy: 'admin' });
      return { success: true, ...describeSilence(silence, this.rt.alerts!.now()) };
    } catch (error) {
      throw asApiError(error);
    }
  }

  @Delete('silences/:id')
  async expire(@Param('id') id: string): Promise<Record<string, unknown>> {
    if (!(await this.rt.alerts!.store.expireSilence(id, undefined, this.rt.alerts!.now()))) throw ApiError.of(404, 'UNKNOWN_SILENCE', 'No active silence with this id.');
    return { success: true, id, expired: true };
  }

  /**
   * Every message the gateway sent (alerts, Codes, named channels, the outbox, test sends), newest
   * first; `?q=` searches title, receiver, channel, status, route and text. The message itself is not
   * in the answer; `resendable` is false while a row is still queued or sending, and for card updates.
   */
  @Get('deliveries')
  async deliveries(@Query('q') q: string | undefined, @Query('limit') limit: string | undefined): Promise<Record<string, unknown>> {
    await this.rt.deliveries.flush();
    const rows = await this.rt.alerts!.store.listDeliveries({ ...(q ? { q: q.slice(0, 100) } : {}), limit: Math.min(Math.max(Number(limit) || 100, 1), 500) });
    return {
      success: true,
      deliveries: rows.map(({ notification: _n, ...d }) => ({
        ...d,
        resendable: d.status !== 'queued' && d.status !== 'sending' && !isCardUpdate(_n),
        createdAt: new Date(d.createdAt).toISOString(),
        updatedAt: new Date(d.updatedAt).toISOString(),
      })),
    };
  }

  @Post('deliveries/:id/resend')
  @HttpCode(200)
  async resend(@Param('id') id: string): Promise<Record<string, unknown>> {
    try {
      const out = await this.rt.alerts!.engine.resend(id);
      if (!out) throw ApiError.of(404, 'UNKNOWN_DELIVERY', 'No delivery with this id.');
      return { success: out.ok, deliveryId: out.deliveryId };
    } catch (error) {
      throw asApiError(error);
    }
  }

  @Get('settings/:codeId')
  async settings(@Param('codeId') codeId: string): Promise<Record<string, unknown>> {
    if (!(await this.rt.codes.get(codeId))) throw ApiError.of(404, 'UNKNOWN_CODE', 'No Code with this id.');
    return { success: true, codeId, settings: describeAlertSettings(await this.rt.alerts!.engine.settingsFor(codeId)) };
  }

  /** Partial update: `{groupBy, groupWait, groupInterval, repeatInterval, sendResolved, recallFiring, language, timeZone, style, mentions, maxAlerts}`. */
  @Put('settings/:codeId')
  async updateSettings(@Param('codeId') codeId: string, @Body() raw: unknown): Promise<Record<string, unknown>> {
    if (!(await this.rt.codes.get(codeId))) throw ApiError.of(404, 'UNKNOWN_CODE', 'No Code with this id.');
    try {
      return { success: true, codeId, settings: describeAlertSettings(await this.rt.alerts!.engine.updateSettings(codeId, bodyObject(raw))) };
    } catch (error) {
      throw asApiError(error);
    }
  }
}
