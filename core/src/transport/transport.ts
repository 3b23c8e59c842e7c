export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A fully built request: the core encodes bodies itself, so transports stay dumb. */
export interface HttpRequest {
  method: HttpMethod;
  /** Absolute URL including the query string. May contain secrets: print it only through `redactUrl`. */
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs?: number;
  /**
   * Aborts the request: the transport rejects with `TransportError('EABORTED')` (with `onWire`
   * telling whether the request had been written) and frees the socket.
   */
  signal?: AbortSignal;
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

/** `EPROXY`: the forward proxy refused or failed the tunnel. `EABORTED`: the request's signal aborted it. */
export type TransportErrorCode = 'ETIMEDOUT' | 'ECONNRESET' | 'ECONNREFUSED' | 'ENOTFOUND' | 'EPROTO' | 'EPROXY' | 'EABORTED' | 'EUNKNOWN';

export class TransportError extends Error {
  constructor(
    readonly code: TransportErrorCode,
    message: string,
    /** For `EABORTED`: the request had left (it may have reached the upstream). Unknown counts as true. */
    readonly onWire = true,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

/** The rejection of a request its signal aborted. */
export function abortedRequest(onWire: boolean): TransportError {
  return new TransportError('EABORTED', onWire ? 'request aborted while on the wire' : 'request aborted before it was sent', onWire);
}

const KNOWN_CODES = new Set<TransportErrorCode>(['ETIMEDOUT', 'ECONNRESET', 'ECONNREFUSED', 'ENOTFOUND', 'EPROTO', 'EPROXY']);

/** Maps a Node/axios error code (`ECONNABORTED`, `EPIPE`, ...) onto our small set. */
export function toTransportErrorCode(code: string | undefined): TransportErrorCode {
  if (!code) return 'EUNKNOWN';
  if (code === 'ECONNABORTED' || code === 'ESOCKETTIMEDOUT' || code === 'ERR_CANCELED') return 'ETIMEDOUT';
  if (code === 'EPIPE' || code === 'ERR_BAD_RESPONSE' || code === 'EAI_AGAIN') return code === 'EAI_AGAIN' ? 'ENOTFOUND' : 'ECONNRESET';
  return KNOWN_CODES.has(code as TransportErrorCode) ? (code as TransportErrorCode) : 'EUNKNOWN';
}
