/**
 * A tiny mustache-style interpolator: `{{namespace.path.to.value}}`. It never evaluates anything,
 * resolves own properties only (no prototype walking), and caps every value and the whole output
 * in UTF-8 bytes. Templates are compiled once (at decoration / start-up), so a bad placeholder
 * fails the application start, not a request.
 */
export type TemplateEscape = 'none' | 'markdown';

export interface CompiledTemplate {
  readonly source: string;
  render(context: Record<string, unknown>, options?: RenderOptions): string;
}

export interface RenderOptions {
  /** Cap of the whole output in UTF-8 bytes. */
  maxBytes?: number;
  escape?: TemplateEscape;
}

type Part = { literal: string } | { path: string[] };

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const SEGMENT = /^[A-Za-z0-9_$-]+$/;
const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);
const MAX_VALUE_BYTES = 1024;
const ELLIPSIS = '…';

export class TemplateError extends Error {
  override name = 'TemplateError';
}

export function compileTemplate(source: string, namespaces: readonly string[]): CompiledTemplate {
  if (typeof source !== 'string') throw new TemplateError('template must be a string');
  const parts: Part[] = [];
  let last = 0;
  for (const match of source.matchAll(PLACEHOLDER)) {
    if (match.index > last) parts.push({ literal: source.slice(last, match.index) });
    const path = match[1].split('.');
    if (!namespaces.includes(path[0])) {
      throw new TemplateError(`template placeholder "{{${match[1]}}}" must start with one of: ${namespaces.join(', ')}`);
    }
    for (const segment of path) {
      if (!SEGMENT.test(segment) || FORBIDDEN.has(segment)) throw new TemplateError(`template placeholder "{{${match[1]}}}" is not a plain property path`);
    }
    parts.push({ path });
    last = match.index + match[0].length;
  }
  if (last < source.length) parts.push({ literal: source.slice(last) });
  return {
    source,
    render(context, options = {}) {
      const escape = options.escape ?? 'none';
      let out = '';
      for (const part of parts) {
        out += 'literal' in part ? part.literal : escapeValue(capBytes(stringify(resolve(context, part.path)), MAX_VALUE_BYTES), escape);
      }
      return options.maxBytes ? capBytes(out, options.maxBytes) : out;
    },
  };
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

/** Truncates to at most `maxBytes` UTF-8 bytes on a code-point boundary, marking the cut. */
export function capBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const budget = maxBytes - Buffer.byteLength(ELLIPSIS, 'utf8');
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > budget) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end) + ELLIPSIS;
}
