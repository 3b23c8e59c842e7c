import { Inject, Injectable, Logger, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { CompiledTemplate, Notification } from '@wxnotify/core';
import { tap, type Observable } from 'rxjs';
import { NOTIFIED_REQUEST, NOTIFY_METADATA, NOTIFY_RUNTIME } from './notify.constants.js';
import type { CompiledNotifyRoute } from './notify.decorator.js';
import type { NotifyRuntime } from './notify.runtime.js';
import { describeError, NotifyService } from './notify.service.js';
import { renderOptions } from './notify.render.js';
import { businessSucceeded, type NotifyRequest } from './notify.success-rule.js';

interface HttpRequestLike {
  body?: unknown;
  params?: unknown;
  query?: unknown;
  [NOTIFIED_REQUEST]?: boolean;
}

/**
 * Reads `@Notify()` and, after the handler produced its value and the success rule accepted it,
 * renders the template (in the request path) and hands the notification to
 * `NotifyService.dispatch` on the next turn of the event loop. Everything
 * here is synchronous and wrapped in try/catch: the response's status, body and timing never
 * depend on the channel.
 */
@Injectable()
export class NotifyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('NotifyInterceptor');

  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(NotifyService) private readonly notify: NotifyService,
    @Inject(NOTIFY_RUNTIME) private readonly runtime: NotifyRuntime,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const route = this.reflector.getAllAndOverride<CompiledNotifyRoute | undefined>(NOTIFY_METADATA, [context.getHandler(), context.getClass()]);
    if (!route || context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<HttpRequestLike>();
    if (request[NOTIFIED_REQUEST]) return next.handle();
    request[NOTIFIED_REQUEST] = true;
    return next.handle().pipe(
      tap({
        next: (result) => {
          if (this.succeeded(route, result, request)) this.schedule(route, route.content, route.title, route.options.channel, { result, ...this.requestScope(request) });
        },
        error: (error: unknown) => {
          if (!route.errorContent) return;
          const scope = { error: errorScope(error), ...this.requestScope(request) };
          this.schedule(route, route.errorContent, route.errorTitle, route.options.onError?.channel ?? route.options.channel, scope);
        },
      }),
    );
  }

  private succeeded(route: CompiledNotifyRoute, result: unknown, request: HttpRequestLike): boolean {
    const rule = route.options.when ?? this.runtime.options.defaultWhen ?? businessSucceeded;
    try {
      if (rule(result, request as NotifyRequest)) return true;
      this.logger.debug('notification skipped: the success rule rejected the result');
    } catch (error) {
      this.logger.warn(`notification skipped: the success rule threw: ${describeError(error)}`);
    }
    return false;
  }

  private requestScope(request: HttpRequestLike): Record<string, unknown> {
    return { body: request.body, params: request.params, query: request.query };
  }

  private schedule(route: CompiledNotifyRoute, content: CompiledTemplate, title: CompiledTemplate | undefined, channel: string | undefined, scope: Record<string, unknown>): void {
    try {
      const format = route.options.format;
      const notification: Notification = {
        content: content.render(scope, renderOptions(this.runtime, format)),
        ...(title ? { title: title.render(scope, renderOptions(this.runtime, format, 'title')) } : {}),
        ...(route.options.format ? { format: route.options.format } : {}),
        ...(route.options.to !== undefined ? { to: route.options.to } : {}),
        ...(route.options.type ? { type: route.options.type } : {}),
        ...(route.options.url ? { url: route.options.url } : {}),
        ...(route.options.options ? { options: route.options.options } : {}),
      };
      setImmediate(() => this.notify.dispatch(notification, channel));
    } catch (error) {
      this.logger.warn(`notification not rendered: ${describeError(error)}`);
    }
  }
}

function errorScope(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const status = (error as { getStatus?: () => number }).getStatus?.();
  return { name: error.name, message: error.message, ...(status !== undefined ? { status } : {}) };
}
