/** Alertmanager-style label matchers: `name="value"`, `name!=value`, `name=~"re"`, `name!~"re"`. */
export interface Matcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

export class MatcherError extends Error {}

const MATCHER = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/;

function unquote(raw: string): string {
  if (raw.length >= 2 && ((raw.startsWith('"') && raw.endsWith('"')) || (raw.startsWith("'") && raw.endsWith("'")))) {
    return raw.slice(1, -1).replace(/\\(["'\\])/g, '$1');
  }
  return raw;
}

/** Parses one matcher string or `{name, op?, value}`; regexes are anchored like Alertmanager's. */
export function parseMatcher(input: unknown): Matcher {
  if (input && typeof input === 'object' && !Array.isArray(input)) {
    const { name, op = '=', value } = input as Record<string, unknown>;
    if (typeof name !== 'string' || typeof value !== 'string' || !['=', '!=', '=~', '!~'].includes(op as string)) {
      throw new MatcherError('a matcher object needs name, value and op (=, !=, =~, !~)');
    }
    return checked({ name, op: op as Matcher['op'], value });
  }
  if (typeof input !== 'string') throw new MatcherError('a matcher must be a string such as severity="critical"');
  const m = MATCHER.exec(input);
  if (!m) throw new MatcherError(`"${input.slice(0, 80)}" is not a matcher (label="value", !=, =~ or !~)`);
  return checked({ name: m[1]!, op: m[2] as Matcher['op'], value: unquote(m[3]!) });
}

const regexCache = new Map<string, RegExp>();

function regexOf(value: string): RegExp {
  let re = regexCache.get(value);
  if (!re) {
    re = new RegExp(`^(?:${value})$`);
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(value, re);
  }
  return re;
}

function checked(m: Matcher): Matcher {
  if (m.op === '=~' || m.op === '!~') {
    try {
      regexOf(m.value);
    } catch (error) {
      throw new MatcherError(`${m.name}${m.op}"${m.value.slice(0, 80)}": ${(error as Error).message}`);
    }
  }
  return m;
}

/** A missing label matches as the empty string (Alertmanager's rule). */
export function matches(matcher: Matcher, labels: Readonly<Record<string, string>>): boolean {
  const value = labels[matcher.name] ?? '';
  switch (matcher.op) {
    case '=':
      return value === matcher.value;
    case '!=':
      return value !== matcher.value;
    case '=~':
      return regexOf(matcher.value).test(value);
    case '!~':
      return !regexOf(matcher.value).test(value);
  }
}

export function matchesAll(matchers: readonly Matcher[], labels: Readonly<Record<string, string>>): boolean {
  return matchers.every((m) => matches(m, labels));
}

export function formatMatcher(m: Matcher): string {
  return `${m.name}${m.op}${JSON.stringify(m.value)}`;
}
