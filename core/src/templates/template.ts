import { truncateUtf8 } from '../channels/wecom-app/render';
import { bindHelper, type BoundHelper } from './template-helpers';
import { DEFAULT_TIME_ZONE, isValidTimeZone } from './time-zone';

/**
 * The one safe template renderer of every host (Nest `@Notify`, the gateway, alert intake):
 * `{{ namespace.path.to.value | helper:arg }}`. It never evaluates anything, resolves own
 * properties only (no prototype walking), and caps every value and the whole output in UTF-8
 * bytes. Templates are compiled once, so a bad placeholder fails at start-up, not per message.
 *
 * Helpers: `date`, `time`, `datetime` (in the template's time zone, default Asia/Shanghai, or
 * the one given: `| datetime:UTC`) and `default:text`. `{{now}}` is the render time.
 */
export type TemplateEscape = 'none' | 'markdown';

export interface TemplateOptions {
  /** Roots a placeholder may start with (e.g. `result`, `body`); default: any. `now` is always allowed. */
  namespaces?: readonly string[];
  /** IANA time zone of the date helpers. Default `Asia/Shanghai`. */
  timeZone?: string;
  /** Cap of each rendered value in UTF-8 bytes. Default 1024. */
  maxValueBytes?: number;
}

export interface TemplateRenderOptions {
  /** Cap of the whole output in UTF-8 bytes; a cut is marked with "…". */
  maxBytes?: number;
  escape?: TemplateEscape;
  /** Overrides the template's time zone for this render. */
  timeZone?: string;
  /** The instant `{{now}}` stands for (epoch ms or Date); default the system time. Hosts pass their clock. */
  now?: number | Date;
}

export interface CompiledTemplate {
  readonly source: string;
  render(context: Record<string, unknown>, options?: TemplateRenderOptions): string;
}

export class TemplateError extends Error {
  override name = 'TemplateError';
}

/** The root that stands for the render time. */
export const NOW_ROOT = 'now';
export const DEFAULT_MAX_VALUE_BYTES = 1024;

type Part = { literal: string } | { path: string[]; helpers: BoundHelper[] };

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const SEGMENT = /^[A-Za-z0-9_$-]+$/;
const HELPER = /^([A-Za-z]+)(?::(.*))?$/s;
const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

export function compileTemplate(source: string, namespacesOrOptions: readonly string[] | TemplateOptions = {}): CompiledTemplate {
  if (typeof source !== 'string') throw new TemplateError('template must be a string');
  const options: TemplateOptions = isNamespaceList(namespacesOrOptions) ? { namespaces: namespacesOrOptions } : namespacesOrOptions;
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  if (!isValidTimeZone(timeZone)) throw new TemplateError(`timeZone "${String(timeZone)}" is not an IANA time zone (e.g. Asia/Shanghai, UTC)`);
  const maxValueBytes = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
  if (!Number.isInteger(maxValueBytes) || maxValueBytes < 8) throw new TemplateError('maxValueBytes must be an integer ≥ 8');
  const parts = parse(source, options.namespaces);
  return {
    source,
    render(context, renderOptions = {}) {
      const zone = renderOptions.timeZone ?? timeZone;
      if (zone !== timeZone && !isValidTimeZone(zone)) throw new TemplateError(`timeZone "${String(zone)}" is not an IANA time zone`);
      const scope = { timeZone: zone };
      const escape = renderOptions.escape ?? 'none';
      let out = '';
      for (const part of parts) {
        if ('literal' in part) {
          out += part.literal;
          continue;
        }
        let value = part.path[0] === NOW_ROOT && part.path.length === 1 ? new Date(renderOptions.now ?? Date.now()) : resolve(context, part.path);
        for (const helper of part.helpers) value = helper(value, scope);
        out += escapeValue(truncateUtf8(stringify(value), maxValueBytes), escape);
      }
      return renderOptions.maxBytes ? truncateUtf8(out, renderOptions.maxBytes) : out;
    },
  };
}

/** Compiles and renders once: for templates that arrive with the message (gateway, alert rules). */
export function renderTemplate(source: string, context: Record<string, unknown>, options: TemplateOptions & TemplateRenderOptions = {}): string {
  return compileTemplate(source, options).render(context, options);
}

function isNamespaceList(value: readonly string[] | TemplateOptions): value is readonly string[] {
  return Array.isArray(value);
}

function parse(source: string, namespaces: readonly string[] | undefined): Part[] {
  const parts: Part[] = [];
  let last = 0;
  for (const match of source.matchAll(PLACEHOLDER)) {
    if (match.index > last) parts.push({ literal: source.slice(last, match.index) });
    const [pathText, ...pipes] = match[1].split('|').map((s) => s.trim());
    const path = pathText.split('.');
    const where = `template placeholder "{{${match[1]}}}"`;
    if (path[0] === NOW_ROOT) {
      if (path.length > 1) throw new TemplateError(`${where}: "now" has no properties; use a helper, e.g. {{now | datetime}}`);
    } else if (namespaces && !namespaces.includes(path[0])) {
      throw new TemplateError(`${where} must start with one of: ${[...namespaces, NOW_ROOT].join(', ')}`);
    }
    for (const segment of path) {
      if (!SEGMENT.test(segment) || FORBIDDEN.has(segment)) throw new TemplateError(`${where} is not a plain property path`);
    }
    const helpers = pipes.map((pipe) => {
      const helper = HELPER.exec(pipe);
      if (!helper) throw new TemplateError(`${where}: "${pipe}" is not a helper (name or name:argument)`);
      try {
        return bindHelper(helper[1], helper[2]?.trim());
      } catch (error) {
        throw new TemplateError(`${where}: ${(error as Error).message}`);
      }
    });
    parts.push({ path, helpers });
    last = match.index + match[0].length;
  }
  if (last < source.length) parts.push({ literal: source.slice(last) });
  return parts;
}

function resolve(context: Record<string, unknown>, path: string[]): unknown {
  let value: unknown = context;
  for (const segment of path) {
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined;
    if (!Object.prototype.hasOwnProperty.call(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'function' || typeof value === 'symbol') return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  try {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? '';
  } catch {
    return '';
  }
}

const MARKDOWN_SPECIALS = /[\\`*_[\]<>#|~]/g;

function escapeValue(value: string, escape: TemplateEscape): string {
  return escape === 'markdown' ? value.replace(MARKDOWN_SPECIALS, (c) => `\\${c}`) : value;
}
