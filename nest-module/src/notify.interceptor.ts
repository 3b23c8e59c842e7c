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
import { NotifyDigests } from './digest/notify-digests.js';

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
    @Inject(NotifyDigests) private readonly digests: NotifyDigests,
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
          if (!this.succeeded(route, result, request)) return;
          const scope = { result, ...this.requestScope(request) };
          const notification = this.render(route, route.content, route.title, scope);
          if (!notification) return;
          if (route.options.digest) this.collect(route, notification, scope, result, request);
          else this.dispatchLater(notification, route.options.channel);
        },
        error: (error: unknown) => {
          if (!route.errorContent) return;
          const scope = { error: errorScope(error), ...this.requestScope(request) };
          const notification = this.render(route, route.errorContent, route.errorTitle, scope);
          if (notification) this.dispatchLater(notification, route.options.onError?.channel ?? route.options.channel);
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

  private dispatchLater(notification: Notification, channel: string | undefined): void {
    setImmediate(() => this.notify.dispatch(notification, channel));
  }

  /** Into the route's digest window (key from the template or function, default one per route). */
  private collect(route: CompiledNotifyRoute, notification: Notification, scope: Record<string, unknown>, result: unknown, request: HttpRequestLike): void {
    const digest = route.options.digest!;
    let key = '';
    try {
      if (route.digestKey) key = route.digestKey.render(scope, { maxBytes: 256 });
      else if (typeof digest.key === 'function') key = String(digest.key(result, request));
    } catch (error) {
      this.logger.warn(`digest key failed, using the route's digest: ${describeError(error)}`);
    }
    setImmediate(() => this.digests.add(route, digest, route.options.channel, key, notification));
  }

  private render(route: CompiledNotifyRoute, content: CompiledTemplate, title: CompiledTemplate | undefined, scope: Record<string, unknown>): Notification | undefined {
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
      return notification;
    } catch (error) {
      this.logger.warn(`notification not rendered: ${describeError(error)}`);
      return undefined;
    }
  }
}

function errorScope(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const status = (error as { getStatus?: () => number }).getStatus?.();
  return { name: error.name, message: error.message, ...(status !== undefined ? { status } : {}) };
}
