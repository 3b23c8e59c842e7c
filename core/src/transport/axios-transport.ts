import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance, type AxiosProxyConfig, isAxiosError } from 'axios';
import { abortedRequest, TransportError, toTransportErrorCode, type HttpRequest, type HttpResponse, type Transport } from './transport';

export interface AxiosTransportOptions {
  /** Default timeout per request (ms). */
  timeoutMs?: number;
  /** Max open sockets per origin; keep-alive reuses them. */
  maxSockets?: number;
  /**
   * Proxy for every request. `undefined` lets axios read HTTP(S)_PROXY / NO_PROXY from the
   * environment; `false` disables proxies.
   */
  proxy?: AxiosProxyConfig | false;
}

/**
 * The default transport for servers (NestJS, the gateway, the CLI). n8n code never imports this
 * module: inside n8n the transport wraps n8n's own request helpers.
 */
export class AxiosTransport implements Transport {
  private readonly client: AxiosInstance;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(private readonly options: AxiosTransportOptions = {}) {
    const maxSockets = options.maxSockets ?? 64;
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets });
    this.client = axios.create({
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      timeout: options.timeoutMs ?? 10_000,
      proxy: options.proxy,
      responseType: 'text',
      // Bodies arrive encoded; axios must neither re-encode requests nor parse responses.
      transformRequest: [(data: unknown) => data],
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      maxRedirects: 0,
      maxBodyLength: 64 * 1024 * 1024,
      maxContentLength: 64 * 1024 * 1024,
    });
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    if (req.signal?.aborted) throw abortedRequest(false);
    try {
      const res = await this.client.request<string>({
        method: req.method,
        url: req.url,
        headers: req.headers,
        data: req.body,
        timeout: req.timeoutMs ?? this.options.timeoutMs ?? 10_000,
        ...(req.signal ? { signal: req.signal } : {}),
      });
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(res.headers ?? {})) {
        if (value !== undefined && value !== null) headers[key.toLowerCase()] = String(value);
      }
      return { status: res.status, headers, text: typeof res.data === 'string' ? res.data : String(res.data ?? '') };
    } catch (error) {
      // axios does not say whether the request had left; count it as on the wire.
      if (req.signal?.aborted) throw abortedRequest(true);
      const code = isAxiosError(error) ? error.code : (error as NodeJS.ErrnoException)?.code;
      // Never include the URL: it may carry access_token or a robot key.
      throw new TransportError(toTransportErrorCode(code), `request failed: ${code ?? 'unknown error'}`);
    }
  }

  /** Closes idle keep-alive sockets (call on shutdown). */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

export function createAxiosTransport(options?: AxiosTransportOptions): AxiosTransport {
  return new AxiosTransport(options);
}
