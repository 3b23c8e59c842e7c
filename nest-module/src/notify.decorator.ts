import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { compileTemplate, type CompiledTemplate, type Notification } from '@wxnotify/core';
import { NOTIFY_METADATA } from './notify.constants.js';
import { NotifyInterceptor } from './notify.interceptor.js';
import type { NotifySuccessRule } from './notify.success-rule.js';
import { digestProblems, type NotifyDigestOptions } from './digest/notify-digests.js';

/** Namespaces a route template may read. */
export const ROUTE_NAMESPACES = ['result', 'body', 'params', 'query'] as const;
/** Namespaces an `onError` template may read (no result: the handler threw). */
export const ERROR_NAMESPACES = ['error', 'body', 'params', 'query'] as const;

export interface NotifyRouteOptions {
  /** Content template, e.g. `新用户已加入：{{result.username}}`. */
  template: string;
  /** Title template (textcard, markdown heading...). */
  title?: string;
  /** Channel name from the module options; default: `defaultChannel`. */
  channel?: string;
  format?: Notification['format'];
  /** Channel-specific recipients, passed to the core unchanged. */
  to?: Notification['to'];
  /** Channel-specific message type, e.g. `textcard` or `markdown_v2`. */
  type?: string;
  url?: string;
  options?: Notification['options'];
  /**
   * Notify only when this returns true for the handler's result, e.g.
   * `when: (result) => (result as { code: number }).code === 0`. Default: the module's
   * `defaultWhen`, else `businessSucceeded` (skips results with `success: false`).
   */
  when?: NotifySuccessRule;
  /**
   * Collect this route's notifications for a window and send one message:
   * `digest: { windowMs: 60_000, key: '{{body.team}}', maxItems: 20 }`. `onError` is never digested.
   */
  digest?: NotifyDigestOptions;
  /** Also notify when the handler throws (`{{error.message}}`, `{{error.status}}`). Off by default. */
  onError?: { template: string; title?: string; channel?: string };
}

export interface CompiledNotifyRoute {
  readonly options: NotifyRouteOptions;
  readonly content: CompiledTemplate;
  readonly title?: CompiledTemplate;
  readonly errorContent?: CompiledTemplate;
  readonly errorTitle?: CompiledTemplate;
  readonly digestKey?: CompiledTemplate;
}

/**
 * Notify after the handler succeeded: it returned (did not throw) and the success rule (`when`)
 * accepts its result. Templates are compiled here, so a bad placeholder fails at
 * start-up. The decorator also binds `NotifyInterceptor`; binding the interceptor globally as
 * well is harmless (each request is dispatched once).
 */
export function Notify(templateOrOptions: string | NotifyRouteOptions): MethodDecorator & ClassDecorator {
  const options = typeof templateOrOptions === 'string' ? { template: templateOrOptions } : templateOrOptions;
  if (options.when !== undefined && typeof options.when !== 'function') throw new TypeError('@Notify: when must be a function (result, request) => boolean');
  if (options.digest !== undefined) {
    const problems = digestProblems(options.digest);
    if (problems.length > 0) throw new TypeError(`@Notify: ${problems.join('; ')}`);
  }
  const compiled: CompiledNotifyRoute = {
    options,
    content: compileTemplate(options.template, ROUTE_NAMESPACES),
    title: options.title !== undefined ? compileTemplate(options.title, ROUTE_NAMESPACES) : undefined,
    errorContent: options.onError ? compileTemplate(options.onError.template, ERROR_NAMESPACES) : undefined,
    errorTitle: options.onError?.title !== undefined ? compileTemplate(options.onError.title, ERROR_NAMESPACES) : undefined,
    digestKey: typeof options.digest?.key === 'string' ? compileTemplate(options.digest.key, ROUTE_NAMESPACES) : undefined,
  };
  return applyDecorators(SetMetadata(NOTIFY_METADATA, compiled), UseInterceptors(NotifyInterceptor));
}
