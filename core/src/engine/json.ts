/**
 * JSON.parse that keeps integers beyond 2^53 exact by turning them into strings before parsing
 * (gewechat's msgId/newMsgId, WeCom callback MsgIds). Safe integers stay numbers.
 */
export function parseJsonLossless(text: string): unknown {
  return JSON.parse(quoteBigIntegers(text));
}

/** Parses JSON, or returns `undefined` when the text is not JSON. */
export function tryParseJson(text: string, lossless = false): unknown {
  try {
    return lossless ? parseJsonLossless(text) : JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function quoteBigIntegers(text: string): string {
  let out = '';
  let i = 0;
  let last = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      i++;
      while (i < text.length) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i += 2;
        else if (d === 34) {
          i++;
          break;
        } else i++;
      }
      continue;
    }
    if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      const start = i;
      i++;
      while (i < text.length && /[0-9.eE+\-]/.test(text[i])) i++;
      const literal = text.slice(start, i);
      if (/^-?\d{16,}$/.test(literal) && !Number.isSafeInteger(Number(literal))) {
        out += `${text.slice(last, start)}"${literal}"`;
        last = i;
      }
      continue;
    }
    i++;
  }
  return last === 0 ? text : out + text.slice(last);
}

/** Whether the value is a JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The value as a JSON object, or `undefined` for arrays, null and scalars. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return isRecord(value) ? value : undefined;
}

/** Reads an id that may be a number, a bigint-as-string or absent, as a string. */
export function idToString(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return typeof value === 'string' ? value : String(value);
}
