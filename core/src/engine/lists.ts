/** One value or a list of them (or nothing) → a list. */
export function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** `string | string[]` (or nothing) → trimmed, non-empty, unique strings, in first-seen order. */
export function uniqueTrimmed(value: unknown): string[] {
  return [...new Set(asList(value).map((v) => String(v).trim()).filter(Boolean))];
}
