import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { isNotifyError, type Notification } from '@wxnotify/core';
import type { Response } from 'express';
import { GatewayRuntime } from '../runtime.js';
import { ApiError, sendFailure } from './api-error.js';
import { channelDelivery } from './delivery-meta.js';
import { boundedWait } from './sync-wait.js';
import { ApiKeyGuard } from './guards.js';
import { bodyObject, stringField } from './input.js';

const FORMATS = ['text', 'markdown', 'html'];

/** Maps the request body to a core Notification; the channel validates the rest (to, type, options). */
function toNotification(body: Record<string, unknown>, maxContentBytes: number): Notification<any, any> {
  const content = stringField(body, 'content', { required: true, maxBytes: maxContentBytes })!;
  const title = stringField(body, 'title', { maxBytes: 512 });
  const url = stringField(body, 'url', { maxBytes: 2048 });
  const summary = stringField(body, 'summary', { maxBytes: 1024 });
  const type = stringField(body, 'type', { maxBytes: 64 });
  const format = stringField(body, 'format', { maxBytes: 16 });
  if (format !== undefined && !FORMATS.includes(format)) throw ApiError.of(400, 'INVALID_FIELD', '"format" must be text, markdown or html.', { field: 'format' });
  if (body.options !== undefined && (body.options === null || typeof body.options !== 'object' || Array.isArray(body.options))) {
    throw ApiError.of(400, 'INVALID_FIELD', '"options" must be an object.', { field: 'options' });
  }
  return {
    content,
    ...(title !== undefined ? { title } : {}),
    ...(url !== undefined ? { url } : {}),
    ...(summary !== undefined ? { summary } : {}),
    ...(type !== undefined ? { type } : {}),
    ...(format !== undefined ? { format: format as Notification['format'] } : {}),
    ...(body.to !== undefined ? { to: body.to } : {}),
    ...(body.options !== undefined ? { options: body.options as Record<string, unknown> } : {}),
  };
}

@Controller('api')
@UseGuards(ApiKeyGuard)
export class ChannelsController {
  constructor(@Inject(GatewayRuntime) private readonly rt: GatewayRuntime) {}

  @Get('channels')
  list(): Record<string, unknown> {
    return { success: true, channels: this.rt.channels.names().map((name) => ({ name, type: this.rt.channels.typeOf(name) })) };
  }

  /**
   * Sends through a configured channel. `?async=true` (or `Prefer: respond-async`) stores the
   * message in the outbox and answers 202 at once; it is delivered even across restarts.
   */
  @Post('channels/:name/send')
  @HttpCode(200)
  async send(
    @Param('name') name: string,
    @Body() raw: unknown,
    @Query('async') asyncParam: string | undefined,
    @Headers('prefer') prefer: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Record<string, unknown>> {
    if (!this.rt.channels.has(name)) throw ApiError.of(404, 'UNKNOWN_CHANNEL', `No channel named "${name.slice(0, 64)}". Configured: ${this.rt.channels.names().join(', ') || 'none'}.`);
    const notification = toNotification(bodyObject(raw), this.rt.config.maxContentBytes);
    if (asyncParam === 'true' || asyncParam === '1' || /respond-async/i.test(prefer ?? '')) {
      // Checked as the synchronous route would be, so that a 202 never stands for a message that cannot be sent.
      try {
        this.rt.channels.validate(name, notification);
      } catch (error) {
        throw sendFailure(error);
      }
      // Logged as queued first, so that whichever replica delivers it finds the row to settle.
      const id = randomUUID();
      await this.rt.deliveries.queued(id, channelDelivery(this.rt.channels, name, 'POST /api/channels/{name}/send (async)', notification.to), notification);
      await this.rt.store.enqueue(name, notification, id);
      this.rt.outbox.kick();
      res.status(202);
      return { success: true, message: 'Accepted', id, status: 'pending' };
    }
    try {
      const result = await this.rt.deliveries.record(channelDelivery(this.rt.channels, name, 'POST /api/channels/{name}/send', notification.to), notification, () =>
        this.rt.recorder.record(name, () => boundedWait(this.rt.config, () => this.rt.channels.send(name, notification))),
      );
      return { success: true, message: 'Sent', result };
    } catch (error) {
      throw sendFailure(error);
    }
  }

  @Get('outbox/:id')
  async outboxStatus(@Param('id') id: string): Promise<Record<string, unknown>> {
    const entry = /^[0-9a-f-]{36}$/.test(id) ? await this.rt.store.getOutbox(id) : undefined;
    if (!entry) throw ApiError.of(404, 'UNKNOWN_ID', 'No accepted message with this id.');
    return {
      success: true,
      id: entry.id,
      channel: entry.channel,
      status: entry.status,
      attempts: entry.attempts,
      lastError: entry.lastError,
      result: entry.result ? (JSON.parse(entry.result) as unknown) : null,
      createdAt: entry.createdAt,
    };
  }
}
