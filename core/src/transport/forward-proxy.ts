import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';

/** A forward proxy (HTTP CONNECT for https targets, absolute-form requests for http ones). */
export interface ProxyTarget {
  hostname: string;
  port: number;
  /** `Basic …` when the proxy URL carries credentials. Never printed. */
  authorization?: string;
}

export interface ProxySettings {
  /** Proxy for http:// targets. */
  http?: ProxyTarget;
  /** Proxy for https:// targets. */
  https?: ProxyTarget;
  /** NO_PROXY entries: `*`, `host`, `.domain` / `domain` (subdomains too), each optionally `:port`. */
  noProxy: string[];
}

const CONNECT_TIMEOUT_MS = 30_000;

/** Error of a CONNECT the proxy refused or broke off; carries no URL or credentials. */
export class ProxyError extends Error {
  readonly code = 'EPROXY';
}

/** Parses `http://user:pass@host:3128`; undefined for an empty value, an error for a bad one. */
export function parseProxyUrl(value: string | undefined): ProxyTarget | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  let url: URL;
  try {
    url = new URL(value.includes('://') ? value : `http://${value}`);
  } catch {
    throw new TypeError('proxy: not a valid URL'); // never echo the value: it may hold credentials
  }
  if (url.protocol !== 'http:') throw new TypeError('proxy: only http:// proxies are supported (HTTP CONNECT)');
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  return {
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : 80,
    ...(user || password ? { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` } : {}),
  };
}

/** What curl and most tools read: HTTPS_PROXY / HTTP_PROXY / NO_PROXY, the lower-case name first. */
export function proxySettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ProxySettings {
  const read = (name: string): string | undefined => env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return {
    http: parseProxyUrl(read('http_proxy')),
    https: parseProxyUrl(read('https_proxy')),
    noProxy: splitNoProxy(read('no_proxy')),
  };
}

export function splitNoProxy(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[\s,]+/)
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean);
}

/** Whether a NO_PROXY list exempts `hostname` on `port`. */
export function bypassesProxy(noProxy: string[], hostname: string, port: string): boolean {
  const host = hostname.toLowerCase();
  for (const entry of noProxy) {
    if (entry === '*') return true;
    const match = /^(.*?)(?::(\d+))?$/.exec(entry.replace(/^\[|\](?=:|$)/g, ''))!;
    const name = match[1].replace(/^\*?\./, '');
    if (match[2] !== undefined && match[2] !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

/**
 * Opens pooled TLS connections through an HTTP CONNECT tunnel. Keep-alive works as with a direct
 * https.Agent: a tunnel, once open, carries many requests.
 */
export class TunnelingAgent extends https.Agent {
  constructor(
    private readonly proxy: ProxyTarget,
    options: https.AgentOptions,
  ) {
    super(options);
  }

  override createConnection(options: tls.ConnectionOptions & { host?: string; port?: number }, callback: (error: Error | null, socket?: Duplex) => void): undefined {
    const target = `${options.host?.includes(':') ? `[${options.host}]` : options.host}:${options.port ?? 443}`;
    const connect = http.request({
      host: this.proxy.hostname,
      port: this.proxy.port,
      method: 'CONNECT',
      path: target,
      headers: { host: target, ...(this.proxy.authorization ? { 'proxy-authorization': this.proxy.authorization } : {}) },
      agent: false,
    });
    connect.once('connect', (res, socket, head) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        callback(new ProxyError(`proxy refused the tunnel (HTTP ${res.statusCode})`));
        return;
      }
      if (head.length > 0) socket.unshift(head);
      callback(null, tls.connect({ ...options, socket }));
    });
    connect.once('error', (error: NodeJS.ErrnoException) => callback(new ProxyError(`proxy unreachable (${error.code ?? 'error'})`)));
    // The request's own deadline cannot reach this CONNECT; a silent proxy must not pin a socket.
    connect.setTimeout(CONNECT_TIMEOUT_MS, () => connect.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    connect.end();
    return undefined;
  }
}
