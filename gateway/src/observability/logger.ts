import { redactUrl } from '@wxnotify/core';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_FIELD = /^(secret|corpSecret|password|token|code|key|apiKey|authorization|cookie)$/i;
/** A path segment or query value shaped like a config Code (24 random bytes, base64url), wherever it was put. */
const CODE_LIKE = /(^|[/=?&])[A-Za-z0-9_-]{32}(?=$|[/?&#;])/g;

/** JSON-lines logger. Every message and field goes through redaction: no secret or Code reaches a log line. */
export class GatewayLogger {
  private readonly secrets = new Set<string>();

  constructor(
    private readonly level: LogLevel = 'info',
    private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {}

  /** Registers a value that must never be printed (e.g. the API key, gewechat token). */
  addSecret(value: string | undefined): void {
    if (value && value.length >= 4) this.secrets.add(value);
  }

  debug(message: string, fields?: Record<string, unknown>): void {
    this.log('debug', message, fields);
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.log('info', message, fields);
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.log('warn', message, fields);
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.log('error', message, fields);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join('***');
    return redactUrl(out);
  }

  /**
   * A request path or URL for logs and error bodies: Codes are masked whatever the case of the
   * route, repeated slashes, or where they were put (a query value, an unknown route).
   */
  redactPath(url: string): string {
    return this.redact(url.replace(CODE_LIKE, '$1***'));
  }

  private log(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
    if (ORDER[level] < ORDER[this.level]) return;
    const clean: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      clean[name] = SECRET_FIELD.test(name) && typeof value === 'string' ? '***' : this.redactValue(value);
    }
    this.write(JSON.stringify({ time: new Date().toISOString(), level, msg: this.redact(message), ...clean }));
  }

  private redactValue(value: unknown): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (value instanceof Error) return this.redact(value.message);
    if (value && typeof value === 'object') return JSON.parse(this.redact(JSON.stringify(value))) as unknown;
    return value;
  }
}
