import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the fake saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  json: unknown;
  remoteAddress: string;
}

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; strings and Buffers as they are. */
  body?: unknown;
  /** The handler acted, then the connection is destroyed without an answer (the client sees a reset). */
  drop?: boolean;
}

export type FakeHandler = (req: RecordedRequest) => FakeReply | Promise<FakeReply>;

/** Faults applied to the next requests, before the handler runs. */
export interface FaultPlan {
  /** Destroy the socket without answering. */
  reset?: number;
  /** Answer with this HTTP status and an HTML body. */
  status?: { code: number; count: number };
  /** Delay every answer by this many ms (0 = off). */
  delayMs?: number;
  /** Never answer the next N requests (the client must time out). */
  hang?: number;
}

/**
 * A loopback HTTP server on an ephemeral port that records every request and lets a test inject
 * faults. Every fake upstream in test/fakes builds on it.
 */
export class FakeServer {
  readonly requests: RecordedRequest[] = [];
  /** Requests whose client closed the connection before they were answered (an aborted send). */
  readonly abandoned: RecordedRequest[] = [];
  private faults: FaultPlan = {};
  private closing = false;
  private readonly hanging = new Set<http.ServerResponse>();

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(handler: FakeHandler): Promise<FakeServer> {
    let self: FakeServer | undefined;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void self!.handle(req, res, Buffer.concat(chunks), handler);
      });
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    self = new FakeServer(server, `http://127.0.0.1:${port}`);
    return self;
  }

  injectFaults(plan: FaultPlan): void {
    this.faults = { ...plan, status: plan.status ? { ...plan.status } : undefined };
  }

  /** Requests whose path ends with `suffix`. */
  calls(suffix: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path.endsWith(suffix));
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, handler: FakeHandler): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const text = body.toString('utf8');
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      text,
      json,
      remoteAddress: req.socket.remoteAddress ?? '',
    };
    this.requests.push(recorded);
    res.on('close', () => {
      if (!res.writableFinished && !this.closing) this.abandoned.push(recorded);
    });

    if (this.faults.reset && this.faults.reset > 0) {
      this.faults.reset--;
      req.socket.destroy();
      return;
    }
    if (this.faults.hang && this.faults.hang > 0) {
      this.faults.hang--;
      this.hanging.add(res);
      return;
    }
    if (this.faults.status && this.faults.status.count > 0) {
      this.faults.status.count--;
      res.writeHead(this.faults.status.code, { 'content-type': 'text/html' });
      res.end('<html><body>upstream error</body></html>');
      return;
    }
    if (this.faults.delayMs) await new Promise((r) => setTimeout(r, this.faults.delayMs));
    let reply: FakeReply;
    try {
      reply = await handler(recorded);
    } catch (error) {
      reply = { status: 500, body: { error: String(error) } };
    }
    if (reply.drop) {
      req.socket.destroy();
      return;
    }
    const isJson = reply.body !== undefined && typeof reply.body !== 'string' && !Buffer.isBuffer(reply.body);
    const payload = isJson ? JSON.stringify(reply.body) : ((reply.body as string | Buffer | undefined) ?? '');
    res.writeHead(reply.status ?? 200, {
      'content-type': isJson ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8',
      ...reply.headers,
    });
    res.end(payload);
  }
}
