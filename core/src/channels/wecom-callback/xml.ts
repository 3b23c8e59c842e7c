/**
 * A small parser for the flat XML WeCom posts to callbacks: `<xml><Tag><![CDATA[..]]></Tag>...</xml>`.
 * It reads one level of child elements (nested elements are returned as objects of the same shape),
 * accepts CDATA and the five predefined entities, and rejects DOCTYPE/ENTITY declarations, so
 * there is no entity expansion or external fetch to abuse. No dependencies.
 */
export type XmlValue = string | XmlObject | Array<string | XmlObject>;
export interface XmlObject {
  [name: string]: XmlValue;
}

const MAX_DEPTH = 8;

export function parseFlatXml(xml: string): XmlObject {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new Error('XML with DOCTYPE or ENTITY declarations is not accepted');
  const text = xml.replace(/^\uFEFF/, '').replace(/<\?xml[^>]*\?>/, '').trim();
  const root = /^<([A-Za-z_][\w.-]*)\s*>([\s\S]*)<\/\1>$/.exec(text);
  if (!root) throw new Error('not a single XML root element');
  const value = parseChildren(root[2], 0);
  if (typeof value === 'string') throw new Error('XML root has no child elements');
  return value;
}

function parseChildren(body: string, depth: number): XmlObject | string {
  if (depth > MAX_DEPTH) throw new Error('XML nested too deeply');
  if (isTextOnly(body)) return decodeText(body);
  const out: XmlObject = {};
  let i = 0;
  for (;;) {
    while (i < body.length && /\s/.test(body[i])) i++;
    if (i >= body.length) break;
    if (body[i] !== '<') throw new Error('unexpected text between elements');
    if (body.startsWith('<!--', i)) {
      const end = body.indexOf('-->', i);
      if (end === -1) throw new Error('unterminated comment');
      i = end + 3;
      continue;
    }
    const open = /^<([A-Za-z_][\w.-]*)\s*(\/?)>/.exec(body.slice(i, i + 256));
    if (!open) throw new Error('malformed element');
    const name = open[1];
    const contentStart = i + open[0].length;
    if (open[2] === '/') {
      add(out, name, '');
      i = contentStart;
      continue;
    }
    const close = findClose(body, name, contentStart);
    add(out, name, parseChildren(body.slice(contentStart, close), depth + 1));
    i = close + name.length + 3;
  }
  return out;
}

/** Finds the matching `</name>`, skipping CDATA sections and nested same-name elements. */
function findClose(body: string, name: string, from: number): number {
  const openTag = new RegExp(`^<${name.replace(/[.-]/g, '\\$&')}\\s*>`);
  const closeTag = `</${name}>`;
  let depth = 1;
  let i = from;
  while (i < body.length) {
    const lt = body.indexOf('<', i);
    if (lt === -1) break;
    if (body.startsWith('<![CDATA[', lt)) {
      const end = body.indexOf(']]>', lt);
      if (end === -1) throw new Error('unterminated CDATA');
      i = end + 3;
      continue;
    }
    if (body.startsWith(closeTag, lt)) {
      depth--;
      if (depth === 0) return lt;
    } else if (openTag.test(body.slice(lt, lt + name.length + 64))) {
      depth++;
    }
    i = lt + 1;
  }
  throw new Error(`unterminated element <${name}>`);
}

function isTextOnly(inner: string): boolean {
  return inner.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '').indexOf('<') === -1;
}

function decodeText(raw: string): string {
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const start = raw.indexOf('<![CDATA[', i);
    if (start === -1) {
      out += decodeEntities(raw.slice(i));
      break;
    }
    out += decodeEntities(raw.slice(i, start));
    const end = raw.indexOf(']]>', start);
    if (end === -1) throw new Error('unterminated CDATA');
    out += raw.slice(start + 9, end);
    i = end + 3;
  }
  return raw.includes('<![CDATA[') ? out : out.trim();
}

function decodeEntities(text: string): string {
  if (text.includes('<')) throw new Error('unexpected markup in text');
  return text.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_m, e: string) => {
    switch (e) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default:
        return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    }
  });
}

function add(out: XmlObject, name: string, value: XmlObject | string): void {
  if (name === '__proto__' || name === 'constructor' || name === 'prototype') return;
  const existing = Object.prototype.hasOwnProperty.call(out, name) ? out[name] : undefined;
  if (existing === undefined) out[name] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else out[name] = [existing as string | XmlObject, value];
}

/** Builds flat WeCom XML; strings become CDATA (with `]]>` split safely), numbers stay bare. */
export function buildFlatXml(fields: Record<string, string | number>): string {
  const parts = Object.entries(fields).map(([name, value]) =>
    typeof value === 'number' ? `<${name}>${value}</${name}>` : `<${name}><![CDATA[${value.split(']]>').join(']]]]><![CDATA[>')}]]></${name}>`,
  );
  return `<xml>${parts.join('')}</xml>`;
}
