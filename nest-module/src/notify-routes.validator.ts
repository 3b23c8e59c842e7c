import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { NOTIFY_METADATA, NOTIFY_RUNTIME } from './notify.constants.js';
import type { CompiledNotifyRoute } from './notify.decorator.js';
import { NotifyConfigError, type NotifyRuntime } from './notify.runtime.js';

/**
 * Checks at start-up that every `@Notify()` names a configured channel (or that a default
 * exists), so a typo fails the boot instead of silently dropping notifications later.
 */
@Injectable()
export class NotifyRoutesValidator implements OnModuleInit {
  constructor(
    @Inject(NOTIFY_RUNTIME) private readonly runtime: NotifyRuntime,
    @Inject(DiscoveryService) private readonly discovery: DiscoveryService,
    @Inject(MetadataScanner) private readonly scanner: MetadataScanner,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    const problems: string[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const type = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
      if (!type?.prototype) continue;
      const classRoute = this.reflector.get<CompiledNotifyRoute | undefined>(NOTIFY_METADATA, type);
      if (classRoute) this.check(classRoute, type.name, problems);
      for (const method of this.scanner.getAllMethodNames(type.prototype)) {
        const route = this.reflector.get<CompiledNotifyRoute | undefined>(NOTIFY_METADATA, (type.prototype as Record<string, () => unknown>)[method]);
        if (route) this.check(route, `${type.name}.${method}`, problems);
      }
    }
    if (problems.length > 0) throw new NotifyConfigError(problems);
  }

  private check(route: CompiledNotifyRoute, where: string, problems: string[]): void {
    for (const channel of [route.options.channel, route.options.onError?.channel]) {
      const name = channel ?? this.runtime.defaultChannel;
      if (name === undefined) problems.push(`@Notify on ${where} names no channel and there is no defaultChannel`);
      else if (!this.runtime.channels.has(name)) problems.push(`@Notify on ${where} uses channel "${name}", which is not configured`);
      if (!route.options.onError) break;
    }
  }
}
