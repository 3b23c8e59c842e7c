import http from 'node:http';
import https from 'node:https';
import { TransportError, toTransportErrorCode, type HttpRequest, type HttpResponse, type Transport } from './transport';

export interface NodeHttpTransportOptions {
  /** Default timeout per request (ms) when the request names none. */
  timeoutMs?: number;
  /** Max open sockets per origin; keep-alive reuses them. */
  maxSockets?: number;
}

/**
 * A lean keep-alive transport on node:http/https, for servers that want throughput (about 2x
 * the requests per second of the axios transport on loopback, see bench/wecom.bench.ts). No
 * proxy support: use the axios transport or a `baseUrl` reverse proxy for that. n8n code never
 * imports this module.
 */
export class NodeHttpTransport implements Transport {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(private readonly options: NodeHttpTransportOptions = {}) {
    const maxSockets = options.maxSockets ?? 64;
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets, noDelay: true } as http.AgentOptions);
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets, noDelay: true } as https.AgentOptions);
  }

  request(req: HttpRequest): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
      let url: URL;
      try {
        url = new URL(req.url);
      } catch {
        reject(new TransportError('EUNKNOWN', 'request failed: invalid URL'));
        return;
      }
      const secure = url.protocol === 'https:';
      const headers: Record<string, string | number> = { ...req.headers };
      if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
      const timeoutMs = req.timeoutMs ?? this.options.timeoutMs ?? 10_000;
      let settled = false;
      // Never include the URL in errors: it may carry access_token or a robot key.
      const fail = (code: string | undefined): void => {
        if (settled) return;
        settled = true;
        reject(new TransportError(toTransportErrorCode(code), `request failed: ${code ?? 'unknown error'}`));
      };
      const client = (secure ? https : http).request(
        {
          agent: secure ? this.httpsAgent : this.httpAgent,
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port,
          path: `${url.pathname}${url.search}`,
          method: req.method,
          headers,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? 'ECONNRESET'));
          res.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            const out: Record<string, string> = {};
            for (const [key, value] of Object.entries(res.headers)) {
              if (value !== undefined) out[key] = Array.isArray(value) ? value.join(', ') : value;
            }
            resolve({ status: res.statusCode ?? 0, headers: out, text: Buffer.concat(chunks).toString('utf8') });
          });
        },
      );
      const timer = setTimeout(() => {
        fail('ETIMEDOUT');
        client.destroy();
      }, timeoutMs);
      client.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        fail(error.code);
      });
      client.end(req.body);
    });
  }

  /** Closes idle keep-alive sockets (call on shutdown). */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
