import { Module, type DynamicModule } from '@nestjs/common';
import { AdminController } from './http/admin.controller.js';
import { ChannelsController } from './http/channels.controller.js';
import { AdminGuard, ApiKeyGuard, NotifyAuthGuard } from './http/guards.js';
import { HealthController } from './http/health.controller.js';
import { NotifyController } from './http/notify.controller.js';
import { GatewayRuntime } from './runtime.js';

@Module({})
export class GatewayModule {
  static forRuntime(runtime: GatewayRuntime, extra: { imports?: DynamicModule['imports']; controllers?: DynamicModule['controllers'] } = {}): DynamicModule {
    return {
      module: GatewayModule,
      imports: [...(extra.imports ?? [])],
      controllers: [NotifyController, ChannelsController, HealthController, AdminController, ...(extra.controllers ?? [])],
      providers: [{ provide: GatewayRuntime, useValue: runtime }, ApiKeyGuard, AdminGuard, NotifyAuthGuard],
    };
  }
}
