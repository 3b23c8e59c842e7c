import http, { validateHeaderName, validateHeaderValue } from 'node:http';
import https from 'node:https';
import { bypassesProxy, parseProxyUrl, proxySettingsFromEnv, splitNoProxy, TunnelingAgent, type ProxySettings, type ProxyTarget } from './forward-proxy';
import { abortedRequest, TransportError, toTransportErrorCode, type HttpRequest, type HttpResponse, type Transport } from './transport';

export interface NodeHttpTransportOptions {
  /** Default timeout per request (ms) when the request names none. */
  timeoutMs?: number;
  /** Max open sockets per origin; keep-alive reuses them. */
  maxSockets?: number;
  /**
   * Forward proxy URL (`http://user:pass@10.0.0.1:3128`) for every request, or `false` for none.
   * Default: HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the environment, read once.
   */
  proxy?: string | false;
  /** Hosts that bypass the proxy, NO_PROXY style (`localhost,.corp.example,10.0.0.5:8080`). */
  noProxy?: string;
  /** Extra CA certificates (PEM) to trust, e.g. a TLS-inspecting corporate proxy's. */
  ca?: string | Buffer | Array<string | Buffer>;
}

interface Target {
  /** The URL prefix this target was resolved from (`https://qyapi.weixin.qq.com`). */
  origin: string;
  secure: boolean;
  /** Where the socket goes: the upstream, or the proxy for a plain-http target behind one. */
  hostname: string;
  port: string | number;
  /** The Host header: the URL's host (brackets kept for IPv6, default port left out). */
  host: string;
  agent: http.Agent;
  /** Plain http through a proxy: the request line carries the absolute URL (this origin + path). */
  absoluteOrigin?: string;
  proxyAuthorization?: string;
}

const ORIGIN = /^(https?):\/\/([^/?#]+)/i;

/**
 * The lean keep-alive transport on node:http/https that servers use by default (about 4x the
 * requests per second of the axios transport on loopback, see bench/wecom.bench.ts). Honours a
 * forward proxy from the environment or the options (CONNECT tunnels for https). n8n code never
 * imports this module.
 */
export class NodeHttpTransport implements Transport {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly targets = new Map<string, Target>();
  /** The previous request's target: most calls go to the same upstream, so skip the regex. */
  private last?: Target;
  /** Frozen header objects already validated (the core shares one per content type). */
  private readonly validated = new WeakSet<object>();

  private readonly proxies: ProxySettings;
  private proxyAgent?: http.Agent;
  private tunnelAgent?: https.Agent;

  constructor(private readonly options: NodeHttpTransportOptions = {}) {
    const maxSockets = options.maxSockets ?? 64;
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets, ...(options.ca ? { ca: options.ca } : {}) });
    if (options.proxy === undefined) {
      this.proxies = proxySettingsFromEnv();
    } else {
      const proxy = options.proxy === false ? undefined : parseProxyUrl(options.proxy);
      this.proxies = { http: proxy, https: proxy, noProxy: [] };
    }
    if (options.noProxy !== undefined) this.proxies.noProxy = splitNoProxy(options.noProxy);
  }

  request(req: HttpRequest): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
      const target = this.resolve(req.url);
      if (!target) {
        reject(new TransportError('EUNKNOWN', 'request failed: invalid URL'));
        return;
      }
      // A flat [name, value, ...] list goes to the wire as is (Node skips its per-header setHeader
      // bookkeeping for arrays), so names and values are validated here instead.
      const headers: string[] = ['host', target.host];
      if (target.proxyAuthorization) headers.push('proxy-authorization', target.proxyAuthorization);
      try {
        if (req.headers) {
          const known = this.validated.has(req.headers);
          for (const name in req.headers) {
            const value = req.headers[name];
            if (!known) {
              validateHeaderName(name);
              validateHeaderValue(name, value);
            }
            headers.push(name, value);
          }
          if (!known && Object.isFrozen(req.headers)) this.validated.add(req.headers);
        }
      } catch {
        reject(new TransportError('EUNKNOWN', 'request failed: invalid header'));
        return;
      }
      if (req.body !== undefined) headers.push('content-length', String(Buffer.byteLength(req.body)));
      const signal = req.signal;
      if (signal?.aborted) {
        reject(abortedRequest(false));
        return;
      }
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      let onAbort: (() => void) | undefined;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        if (onAbort) signal!.removeEventListener('abort', onAbort);
        return true;
      };
      // Never include the URL in errors: it may carry access_token or a robot key.
      const fail = (code: string | undefined): void => {
        if (settle()) reject(new TransportError(toTransportErrorCode(code), `request failed: ${code ?? 'unknown error'}`));
      };
      const client = (target.secure ? https : http).request(
        {
          agent: target.agent,
          hostname: target.hostname,
          port: target.port,
          path: target.absoluteOrigin ? target.absoluteOrigin + requestPath(req.url, target.origin.length) : requestPath(req.url, target.origin.length),
          method: req.method,
          headers,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? 'ECONNRESET'));
          res.on('end', () => {
            if (!settle()) return;
            resolve(new NodeHttpResponse(res.statusCode ?? 0, res.rawHeaders, chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8')));
          });
        },
      );
      client.on('error', (error: NodeJS.ErrnoException) => fail(error.code));
      // One unref'd timer per request; the deadline covers the whole exchange. Node keeps timers of
      // one duration in a single list, so arming and clearing are O(1). (A Map of pending requests
      // swept by an interval cost measurably more client CPU per request.)
      timer = setTimeout(() => {
        fail('ETIMEDOUT');
        client.destroy();
      }, req.timeoutMs ?? this.options.timeoutMs ?? 10_000);
      timer.unref();
      if (signal) {
        onAbort = () => {
          // Still queued in the agent or connecting: nothing has left yet.
          const socket = client.socket;
          const onWire = socket != null && !socket.connecting;
          if (settle()) reject(abortedRequest(onWire));
          client.destroy();
        };
        signal.addEventListener('abort', onAbort, { once: true });
      }
      client.end(req.body);
    });
  }

  /** Closes idle keep-alive sockets (call on shutdown). */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    this.proxyAgent?.destroy();
    this.tunnelAgent?.destroy();
  }

  /** How to reach an origin: directly, through a CONNECT tunnel (https), or via the proxy (http). */
  private route(origin: string, url: URL, secure: boolean): Target {
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    const port = url.port || (secure ? '443' : '80');
    const direct: Target = { origin, secure, hostname, port: url.port, host: url.host, agent: secure ? this.httpsAgent : this.httpAgent };
    const proxy: ProxyTarget | undefined = secure ? this.proxies.https : this.proxies.http;
    if (!proxy || bypassesProxy(this.proxies.noProxy, hostname, port)) return direct;
    const maxSockets = this.options.maxSockets ?? 64;
    if (secure) {
      this.tunnelAgent ??= new TunnelingAgent(proxy, { keepAlive: true, maxSockets, ...(this.options.ca ? { ca: this.options.ca } : {}) });
      return { ...direct, agent: this.tunnelAgent };
    }
    this.proxyAgent ??= new http.Agent({ keepAlive: true, maxSockets });
    return {
      ...direct,
      hostname: proxy.hostname,
      port: proxy.port,
      agent: this.proxyAgent,
      absoluteOrigin: `http://${url.host}`,
      ...(proxy.authorization ? { proxyAuthorization: proxy.authorization } : {}),
    };
  }

  /** The target of `url`, cached per origin; undefined for a URL that is not http(s) or carries credentials. */
  private resolve(url: string): Target | undefined {
    const last = this.last;
    if (last && url.startsWith(last.origin)) {
      const next = url.charCodeAt(last.origin.length);
      if (next === 47 /* / */ || next === 63 /* ? */ || Number.isNaN(next)) return last;
    }
    const match = ORIGIN.exec(url);
    if (!match || match[2].includes('@')) return undefined;
    const origin = match[0];
    let target = this.targets.get(origin);
    if (!target) {
      try {
        target = this.route(origin, new URL(origin), match[1].toLowerCase() === 'https');
      } catch {
        return undefined;
      }
      if (this.targets.size > 100) this.targets.clear();
      this.targets.set(origin, target);
    }
    this.last = target;
    return target;
  }
}

/** The request target after the origin: `/a?b`, or `/` (plus the query) when the URL has no path. */
function requestPath(url: string, originLength: number): string {
  const rest = url.slice(originLength);
  return rest.charCodeAt(0) === 47 /* / */ ? rest : `/${rest}`;
}

/**
 * Headers are built only when read: few callers need them (Retry-After on a 429). Keeps the raw
 * header list only, not the IncomingMessage and its socket.
 */
class NodeHttpResponse implements HttpResponse {
  private flat?: Record<string, string>;

  constructor(
    readonly status: number,
    private readonly rawHeaders: string[],
    readonly text: string,
  ) {}

  get headers(): Record<string, string> {
    return (this.flat ??= flatHeaders(this.rawHeaders));
  }
}

/** Lower-cased names; repeated headers joined with ", " (set-cookie included). */
function flatHeaders(raw: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    headers[name] = name in headers ? `${headers[name]}, ${raw[i + 1]}` : raw[i + 1];
  }
  return headers;
}
