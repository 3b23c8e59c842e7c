/** Counts what WeCom and the robots count: UTF-8 bytes, not characters. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Cuts to at most `max` UTF-8 bytes on a code-point boundary, marking the cut with "…". */
export function truncateUtf8(text: string, max: number): string {
  if (utf8Bytes(text) <= max) return text;
  const budget = max - utf8Bytes('…');
  let out = '';
  let used = 0;
  for (const cp of text) {
    const size = utf8Bytes(cp);
    if (used + size > budget) break;
    out += cp;
    used += size;
  }
  return `${out}…`;
}

/** Counts what WxPusher counts: characters (code points). */
export function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

export interface SplitOptions {
  /** Upper bound for every part, marker included. */
  max: number;
  /** How to measure (bytes for WeCom, code points for WxPusher). Default: UTF-8 bytes. */
  measure?: (text: string) => number;
  /** Part marker appended on its own line; default `(i/n)`. */
  marker?: (index: number, total: number) => string;
  /** Close an open ``` fence at the end of a part and reopen it in the next (markdown). */
  fences?: boolean;
}

const defaultMarker = (index: number, total: number): string => `(${index}/${total})`;
const FENCE = /^\s*(```+|~~~+)/;
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Splits `text` into parts of at most `max` units. Breaks on line boundaries where possible, else
 * between grapheme clusters, never inside a character. Parts get a `(i/n)` marker line; a text
 * that fits is returned unchanged.
 */
export function splitContent(text: string, options: SplitOptions): string[] {
  const measure = options.measure ?? utf8Bytes;
  if (measure(text) <= options.max) return [text];
  const marker = options.marker ?? defaultMarker;
  let total = 2;
  for (let round = 0; round < 5; round++) {
    const reserve = measure(`\n${marker(total, total)}`);
    const parts = pack(text, options.max - reserve, measure, options.fences === true);
    if (String(parts.length).length <= String(total).length || round === 4) {
      return parts.map((part, i) => `${part}\n${marker(i + 1, parts.length)}`);
    }
    total = parts.length;
  }
  /* istanbul ignore next */
  throw new Error('unreachable');
}

function pack(text: string, budget: number, measure: (s: string) => number, fences: boolean): string[] {
  // Room for a closing fence line when a part ends inside a code block.
  const limit = budget - (fences ? 28 : 0);
  if (limit < 8) throw new RangeError(`split budget too small (${budget})`);
  const parts: string[] = [];
  let current: string[] = [];
  let fence: string | undefined;
  const size = (lines: string[]): number => measure(lines.join('\n'));
  const hasContent = (): boolean => current.length > (fence && current[0] === fence ? 1 : 0);

  const flush = (): void => {
    let body = current.join('\n');
    if (fence) body += `\n${FENCE.exec(fence)![1]}`;
    parts.push(body);
    current = fence ? [fence] : [];
  };

  for (const line of text.split('\n')) {
    if (size([...current, line]) <= limit) {
      current.push(line);
    } else {
      if (hasContent()) flush();
      let rest = line;
      while (size([...current, rest]) > limit) {
        const room = limit - (current.length > 0 ? size([...current, '']) : 0);
        const [head, tail] = cutAt(rest, room, measure);
        current.push(head);
        flush();
        rest = tail;
      }
      current.push(rest);
    }
    if (fences && FENCE.test(line)) fence = fence ? undefined : line.trimStart().slice(0, 24);
  }
  if (hasContent()) parts.push(current.join('\n'));
  return parts;
}

/** Cuts `text` so the head fits `limit`, between grapheme clusters (code points as a last resort). */
function cutAt(text: string, limit: number, measure: (s: string) => number): [string, string] {
  let head = '';
  let used = 0;
  for (const { segment } of segmenter.segment(text)) {
    const size = measure(segment);
    if (used + size > limit) {
      if (head === '') return cutCodePoints(text, limit, measure);
      break;
    }
    head += segment;
    used += size;
  }
  return [head, text.slice(head.length)];
}

function cutCodePoints(text: string, limit: number, measure: (s: string) => number): [string, string] {
  let head = '';
  for (const cp of text) {
    if (measure(head + cp) > limit) break;
    head += cp;
  }
  if (head === '') throw new RangeError('split budget smaller than one character');
  return [head, text.slice(head.length)];
}
