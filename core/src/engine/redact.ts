/** Query parameters whose values are secrets on at least one upstream. */
const SECRET_PARAMS = [
  'access_token',
  'corpsecret',
  'key',
  'appToken',
  'apptoken',
  'token',
  'spt',
  'app_secret',
  'secret',
  'code',
  'debug_token',
  // n8n's signed resume URLs (send and wait)
  'signature',
];
const SECRET_PARAM_RE = new RegExp(`([?&](?:${SECRET_PARAMS.join('|')})=)[^&#\\s"']*`, 'gi');
/**
 * `/api/notify/<code>` and `/api/send/message/SPT_xxx/` path secrets. Case-insensitive and
 * tolerant of repeated slashes, as routers are (`/API//Notify/<code>` reaches the same Code).
 */
const SECRET_PATH_RE = /(\/+api\/+notify\/+|\/SPT_)[A-Za-z0-9_\-.~%]+/gi;
const MASK = '***';

/** Masks secret query values and secret path segments in a URL or any text containing URLs. */
export function redactUrl(text: string): string {
  return text.replace(SECRET_PARAM_RE, `$1${MASK}`).replace(SECRET_PATH_RE, (_m, prefix: string) => `${prefix}${MASK}`);
}

/**
 * Removes known secret values (tokens, keys, secrets) from free text, then masks secret URL
 * parameters. Values shorter than 4 characters are not masked (they would mangle the text).
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  constructor(secrets: Iterable<string | undefined> = []) {
    for (const s of secrets) this.add(s);
  }

  add(secret: string | undefined): void {
    if (secret && secret.length >= 4) this.secrets.add(secret);
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is masked whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      out = out.split(secret).join(MASK);
    }
    return redactUrl(out);
  }
}
