import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { GatewayRuntime } from '../runtime.js';

@Controller()
export class HealthController {
  constructor(@Inject(GatewayRuntime) private readonly rt: GatewayRuntime) {}

  /**
   * Seed 000: `{status: "ok"|"error", message}`. 200 when the store answers and the
   * personal-WeChat account (when configured) is online; 503 otherwise, for load balancers.
   */
  @Get('health')
  async health(@Res({ passthrough: true }) res: Response): Promise<Record<string, unknown>> {
    try {
      await this.rt.store.countApiKeys();
    } catch {
      res.status(503);
      return { status: 'error', message: '存储不可用 (store unavailable)' };
    }
    const channel = this.rt.config.wechatChannel;
    if (channel && this.rt.channels.has(channel)) {
      const health = await this.rt.channels.check(channel).catch((error: unknown) => ({ ok: false, message: this.rt.logger.redact((error as Error)?.message ?? 'check failed') }));
      if (!health.ok) {
        res.status(503);
        return { status: 'error', message: health.message };
      }
    }
    return { status: 'ok', message: '服务正常运行中' };
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return this.rt.metrics.render();
  }
}
