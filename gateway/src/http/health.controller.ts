import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { GatewayRuntime } from '../runtime.js';

@Controller()
export class HealthController {
  constructor(@Inject(GatewayRuntime) private readonly rt: GatewayRuntime) {}

  /**
   * Seed 000: `{status: "ok"|"error", message}`. 200 when the store answers, the data dir has room
   * and the personal-WeChat account (when configured) is online; 503 otherwise, for load
   * balancers. Answers within about 1.5 s whatever hangs (see HealthProbe).
   */
  @Get('health')
  async health(@Res({ passthrough: true }) res: Response): Promise<Record<string, unknown>> {
    const report = await this.rt.health.check();
    if (!report.ok) res.status(503);
    return { status: report.ok ? 'ok' : 'error', message: report.message };
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return this.rt.metrics.render();
  }
}
