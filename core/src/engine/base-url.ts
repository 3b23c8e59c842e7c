/** Parses an http(s) URL; `undefined` when the text is not a URL or has another scheme. */
export function parseHttpUrl(value: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
}

/** Drops trailing slashes, so paths can be appended as `${baseUrl}/path`. */
export function trimTrailingSlashes(value: string): string {
  return value.replace(/\/+$/, '');
}
