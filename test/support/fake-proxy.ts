import http from 'node:http';
import net, { type AddressInfo } from 'node:net';

export interface FakeProxyOptions {
  /** `user:password` the proxy demands (407 without it). */
  credentials?: string;
}

/**
 * A forward HTTP proxy on loopback, like squid: absolute-form requests for http targets, CONNECT
 * tunnels for https ones, 407 when credentials are required and missing. Records what it saw.
 */
export class FakeProxy {
  /** Absolute URLs of the plain-http requests it forwarded. */
  readonly forwarded: string[] = [];
  /** `host:port` of every CONNECT it accepted. */
  readonly tunnels: string[] = [];
  /** Requests and CONNECTs it refused with 407. */
  refused = 0;
  /** TCP connections clients opened to the proxy. */
  connections = 0;
  private readonly tunnelSockets = new Set<net.Socket>();

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(options: FakeProxyOptions = {}): Promise<FakeProxy> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new FakeProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const expected = options.credentials ? `Basic ${Buffer.from(options.credentials).toString('base64')}` : undefined;
    const allowed = (req: http.IncomingMessage): boolean => expected === undefined || req.headers['proxy-authorization'] === expected;
    server.on('connection', () => proxy.connections++);
    server.on('request', (req, res) => {
      if (!allowed(req)) {
        proxy.refused++;
        res.writeHead(407, { 'proxy-authenticate': 'Basic realm="fake"' }).end();
        return;
      }
      const target = new URL(req.url ?? '');
      proxy.forwarded.push(target.href);
      const headers = { ...req.headers };
      delete headers['proxy-authorization'];
      const upstream = http.request({ host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: req.method, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      if (!allowed(req)) {
        proxy.refused++;
        client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="fake"\r\n\r\n');
        return;
      }
      proxy.tunnelSockets.add(client);
      client.on('close', () => proxy.tunnelSockets.delete(client));
      const [host, port] = (req.url ?? '').split(/:(?=\d+$)/);
      proxy.tunnels.push(req.url ?? '');
      const upstream = net.connect(Number(port), host.replace(/^\[|\]$/g, ''), () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      proxy.tunnelSockets.add(upstream);
      upstream.on('close', () => proxy.tunnelSockets.delete(upstream));
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    return proxy;
  }

  /** The proxy URL with credentials, e.g. `http://user:pw@127.0.0.1:port`. */
  withCredentials(credentials: string): string {
    return this.url.replace('http://', `http://${credentials}@`);
  }

  async close(): Promise<void> {
    for (const socket of this.tunnelSockets) socket.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
