import type { ContentFormat, Notification } from '../model/notification';
import { compileTemplate, TemplateError, type CompiledTemplate } from '../templates';
import { alertOptionsError } from './errors';
import type { AlertGroup } from './group';
import { alertMarkdown, alertText, type AlertRenderOptions } from './render';
import { alertGroupView, type AlertGroupView } from './view';

/**
 * A custom alert template (per Code): the core template engine over one root, `alert`:
 * `{{alert.heading}}`, `{{alert.status}}`, `{{alert.severity}}`, `{{alert.countsText}}`,
 * `{{alert.labels.instance}}` (the group's labels), `{{alert.first.summary}}` (first alert),
 * `{{alert.list}}` (the default alert list in the message's format), `{{now | datetime}}`.
 */
export interface AlertTemplate {
  title?: string;
  content: string;
  format?: Extract<ContentFormat, 'text' | 'markdown'>;
}

const MAX_LIST_BYTES = 16 * 1024;

export interface CompiledAlertTemplate {
  render(group: AlertGroup, options: AlertRenderOptions & { now?: number }): Notification<unknown, Record<string, unknown>>;
}

/** Compiles once (a bad placeholder fails when the template is saved, not per message). */
export function compileAlertTemplate(template: AlertTemplate, timeZone?: string): CompiledAlertTemplate {
  if (!template || typeof template.content !== 'string' || template.content.trim() === '') throw alertOptionsError('template.content is required');
  if (template.format !== undefined && template.format !== 'text' && template.format !== 'markdown') throw alertOptionsError('template.format must be text or markdown');
  const compile = (source: string, field: string): CompiledTemplate => {
    try {
      return compileTemplate(source, { namespaces: ['alert'], maxValueBytes: MAX_LIST_BYTES, ...(timeZone ? { timeZone } : {}) });
    } catch (error) {
      if (error instanceof TemplateError) throw alertOptionsError(`template.${field}: ${error.message}`);
      throw error;
    }
  };
  const content = compile(template.content, 'content');
  const title = template.title ? compile(template.title, 'title') : undefined;
  const format = template.format ?? 'markdown';
  return {
    render(group, options) {
      const view = alertGroupView(group, options);
      const context = { alert: contextOf(view, group, format, options.channel) };
      const renderOptions = { ...(options.timeZone ? { timeZone: options.timeZone } : {}), ...(options.now !== undefined ? { now: options.now } : {}) };
      return {
        ...(title ? { title: title.render(context, renderOptions) } : {}),
        content: content.render(context, renderOptions),
        format,
        ...(view.url ? { url: view.url } : {}),
      };
    },
  };
}

function contextOf(view: AlertGroupView, group: AlertGroup, format: 'text' | 'markdown', channel: string): Record<string, unknown> {
  const colours = channel === 'wecom-bot' || channel === 'wecom-app';
  const full = format === 'markdown' ? alertMarkdown(view, colours) : alertText(view);
  // The list without the heading lines, for templates that write their own heading.
  const list = full.split('\n\n').slice(1).join('\n\n');
  return { ...view, labels: group.labels, first: view.alerts[0] ?? {}, list, body: full };
}
