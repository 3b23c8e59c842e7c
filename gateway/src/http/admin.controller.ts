import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { isNotifyError } from '@wxnotify/core';
import type { Request, Response } from 'express';
import { GatewayRuntime } from '../runtime.js';
import { AdminAuth, sessionFromCookie } from '../services/admin-auth.js';
import { summarize, type CodeInput } from '../services/code-service.js';
import { ApiError, sendFailure } from './api-error.js';
import { sendThroughCode } from './delivery-meta.js';
import { codeExamples } from './examples.js';
import { takeCodeSlot } from './code-limits.js';
import { limitLogin, secureCookie } from './login-limits.js';
import { AdminGuard } from './guards.js';
import { bodyObject, stringField } from './input.js';

function publicBaseUrl(req: Request, configured: string | undefined): string {
  if (configured) return configured;
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

/** Turns core validation errors into 400s and upstream failures into 502s, with the hint. */
function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (isNotifyError(error)) {
    return sendFailure(error);
  }
  throw error;
}

@Controller('admin/api')
export class AdminController {
  constructor(@Inject(GatewayRuntime) private readonly rt: GatewayRuntime) {}

  @Post('login')
  @HttpCode(200)
  async login(@Body() raw: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<Record<string, unknown>> {
    await limitLogin(this.rt, req);
    const token = await this.rt.admin.login(bodyObject(raw).password);
    if (!token) throw ApiError.of(401, 'BAD_PASSWORD', 'Wrong password.');
    res.setHeader('Set-Cookie', AdminAuth.cookie(token, secureCookie(this.rt, req)));
    return { success: true };
  }

  @Post('logout')
  @HttpCode(200)
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<Record<string, unknown>> {
    await this.rt.admin.logout(sessionFromCookie(req.headers.cookie));
    res.setHeader('Set-Cookie', AdminAuth.clearedCookie());
    return { success: true };
  }

  @Get('session')
  async session(@Req() req: Request): Promise<Record<string, unknown>> {
    return { success: true, authenticated: await this.rt.admin.isValid(sessionFromCookie(req.headers.cookie)) };
  }

  @Post('password')
  @HttpCode(200)
  @UseGuards(AdminGuard)
  async changePassword(@Body() raw: unknown): Promise<Record<string, unknown>> {
    const body = bodyObject(raw);
    try {
      if (!(await this.rt.admin.changePassword(body.current, body.next))) throw ApiError.of(401, 'BAD_PASSWORD', 'The current password is wrong.');
    } catch (error) {
      if (error instanceof ApiError) throw error;
      throw ApiError.of(400, 'WEAK_PASSWORD', (error as Error).message);
    }
    return { success: true };
  }

  /** Fetches a token with the given credentials and lists departments and members to pick from. */
  @Post('wecom/verify')
  @HttpCode(200)
  @UseGuards(AdminGuard)
  async verify(@Body() raw: unknown): Promise<Record<string, unknown>> {
    try {
      return { success: true, ...(await this.rt.codes.verify(bodyObject(raw) as CodeInput)) };
    } catch (error) {
      throw asApiError(error);
    }
  }

  @Get('codes')
  @UseGuards(AdminGuard)
  async list(): Promise<Record<string, unknown>> {
    return { success: true, codes: (await this.rt.codes.list()).map(summarize) };
  }

  /** Creates a Code. The Code is in this answer only; the store keeps its hash. */
  @Post('codes')
  @HttpCode(201)
  @UseGuards(AdminGuard)
  async create(@Body() raw: unknown, @Req() req: Request): Promise<Record<string, unknown>> {
    try {
      const { record, code } = await this.rt.codes.create(bodyObject(raw) as CodeInput);
      this.rt.logger.info('code created', { codeId: record.id, name: record.name });
      return { success: true, code, ...summarize(record), examples: codeExamples(publicBaseUrl(req, this.rt.config.publicUrl), code) };
    } catch (error) {
      throw asApiError(error);
    }
  }

  @Post('codes/:id/rotate')
  @HttpCode(200)
  @UseGuards(AdminGuard)
  async rotate(@Param('id') id: string, @Req() req: Request): Promise<Record<string, unknown>> {
    const rotated = await this.rt.codes.rotate(id);
    if (!rotated) throw ApiError.of(404, 'UNKNOWN_CODE', 'No active Code with this id.');
    this.rt.logger.info('code rotated', { codeId: id });
    return { success: true, code: rotated.code, ...summarize(rotated.record), examples: codeExamples(publicBaseUrl(req, this.rt.config.publicUrl), rotated.code) };
  }

  @Delete('codes/:id')
  @UseGuards(AdminGuard)
  async revoke(@Param('id') id: string): Promise<Record<string, unknown>> {
    if (!(await this.rt.codes.revoke(id))) throw ApiError.of(404, 'UNKNOWN_CODE', 'No active Code with this id.');
    this.rt.logger.info('code revoked', { codeId: id });
    return { success: true, id, revoked: true };
  }

  /** Sends a test message through a Code's app, under the Code's own rate limit. */
  @Post('codes/:id/test')
  @HttpCode(200)
  @UseGuards(AdminGuard)
  async test(@Param('id') id: string, @Body() raw: unknown): Promise<Record<string, unknown>> {
    const record = await this.rt.codes.get(id);
    if (!record || record.revokedAt) throw ApiError.of(404, 'UNKNOWN_CODE', 'No active Code with this id.');
    await takeCodeSlot(this.rt, record);
    const body = raw === undefined || raw === null ? {} : bodyObject(raw);
    const content = stringField(body, 'content', { maxBytes: this.rt.config.maxContentBytes }) ?? 'Test message from the wxnotify gateway.';
    const title = stringField(body, 'title', { maxBytes: 512 });
    try {
      const result = await sendThroughCode(this.rt, record, 'test send (admin page)', { title, content });
      return { success: true, result };
    } catch (error) {
      throw asApiError(error);
    }
  }

  @Get('keys')
  @UseGuards(AdminGuard)
  async listKeys(): Promise<Record<string, unknown>> {
    return { success: true, keys: await this.rt.apiKeys.list() };
  }

  /** Creates an API key (`send` scope unless `{scope: "admin"}`). The key is in this answer only. */
  @Post('keys')
  @HttpCode(201)
  @UseGuards(AdminGuard)
  async createKey(@Body() raw: unknown): Promise<Record<string, unknown>> {
    const body = raw === undefined || raw === null ? {} : bodyObject(raw);
    try {
      const { key, record } = await this.rt.apiKeys.create(body.name, body.scope);
      this.rt.logger.info('api key created', { keyId: record.id, scope: record.scope });
      return { success: true, key, ...record };
    } catch (error) {
      if (error instanceof RangeError) throw ApiError.of(400, 'INVALID_FIELD', error.message, { field: /scope/.test(error.message) ? 'scope' : 'name' });
      throw error;
    }
  }

  @Delete('keys/:id')
  @UseGuards(AdminGuard)
  async revokeKey(@Param('id') id: string): Promise<Record<string, unknown>> {
    if (!(await this.rt.apiKeys.revoke(id))) throw ApiError.of(404, 'UNKNOWN_KEY', 'No active stored API key with this id.');
    this.rt.logger.info('api key revoked', { keyId: id });
    return { success: true, id, revoked: true };
  }

  @Get('channels')
  @UseGuards(AdminGuard)
  channels(): Record<string, unknown> {
    return { success: true, channels: this.rt.channels.names().map((name) => ({ name, type: this.rt.channels.typeOf(name) })) };
  }
}
