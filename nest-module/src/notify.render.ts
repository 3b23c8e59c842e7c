import type { Notification, TemplateRenderOptions } from '@wxnotify/core';
import type { NotifyRuntime } from './notify.runtime.js';

/** Titles are short everywhere (WeCom cards cut at 128 characters). */
const TITLE_MAX_BYTES = 512;

/**
 * How a Nest template renders: the module's byte cap and time zone, the injected clock for
 * `{{now}}`, and markdown escaping of values for markdown messages.
 */
export function renderOptions(runtime: NotifyRuntime, format: Notification['format'], part: 'content' | 'title' = 'content'): TemplateRenderOptions {
  return {
    maxBytes: part === 'title' ? TITLE_MAX_BYTES : runtime.options.maxTemplateBytes,
    escape: format === 'markdown' ? 'markdown' : 'none',
    timeZone: runtime.options.timeZone,
    now: runtime.context.clock.now(),
  };
}
