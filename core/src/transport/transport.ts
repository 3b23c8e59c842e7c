export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A fully built request: the core encodes bodies itself, so transports stay dumb. */
export interface HttpRequest {
  method: HttpMethod;
  /** Absolute URL including the query string. May contain secrets: print it only through `redactUrl`. */
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /** The raw body as text; the core parses it (64-bit ids must not pass through JSON.parse blindly). */
  text: string;
}

/**
 * Sends one HTTP request. Implementations must resolve for every HTTP status and reject only for
 * transport failures, with a `TransportError`.
 */
export interface Transport {
  request(req: HttpRequest): Promise<HttpResponse>;
}

/** `EPROXY`: the forward proxy refused or failed the tunnel. */
export type TransportErrorCode = 'ETIMEDOUT' | 'ECONNRESET' | 'ECONNREFUSED' | 'ENOTFOUND' | 'EPROTO' | 'EPROXY' | 'EUNKNOWN';

export class TransportError extends Error {
  constructor(
    readonly code: TransportErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

const KNOWN_CODES = new Set<TransportErrorCode>(['ETIMEDOUT', 'ECONNRESET', 'ECONNREFUSED', 'ENOTFOUND', 'EPROTO', 'EPROXY']);

/** Maps a Node/axios error code (`ECONNABORTED`, `EPIPE`, ...) onto our small set. */
export function toTransportErrorCode(code: string | undefined): TransportErrorCode {
  if (!code) return 'EUNKNOWN';
  if (code === 'ECONNABORTED' || code === 'ESOCKETTIMEDOUT' || code === 'ERR_CANCELED') return 'ETIMEDOUT';
  if (code === 'EPIPE' || code === 'ERR_BAD_RESPONSE' || code === 'EAI_AGAIN') return code === 'EAI_AGAIN' ? 'ENOTFOUND' : 'ECONNRESET';
  return KNOWN_CODES.has(code as TransportErrorCode) ? (code as TransportErrorCode) : 'EUNKNOWN';
}
