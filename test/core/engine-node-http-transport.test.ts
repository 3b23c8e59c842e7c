import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createChannel, MemoryTokenStore, TransportError, type WeComAppChannel } from '@wxnotify/core';
import { NodeHttpTransport } from '../../core/src/transport/node-http-transport';
import { startFakeWeCom } from '../fakes/wecom';
import { FakeServer } from '../support/fake-server';

describe('NodeHttpTransport', () => {
  let server: FakeServer;
  const transport = new NodeHttpTransport();
  beforeAll(async () => {
    server = await FakeServer.start((req) => ({ status: req.path === '/missing' ? 404 : 200, headers: { 'x-echo': req.method }, body: { path: req.path, body: req.text } }));
  });
  afterAll(async () => {
    transport.close();
    await server.close();
  });

  it('sends the body with content-length and resolves every status', async () => {
    const ok = await transport.request({ method: 'POST', url: `${server.url}/a?x=1`, headers: { 'content-type': 'application/json' }, body: '{"a":"中文"}' });
    expect(ok).toMatchObject({ status: 200, headers: { 'x-echo': 'POST' } });
    expect(JSON.parse(ok.text)).toEqual({ path: '/a', body: '{"a":"中文"}' });
    expect(server.requests.at(-1)!.headers['content-length']).toBe(String(Buffer.byteLength('{"a":"中文"}')));
    expect((await transport.request({ method: 'GET', url: `${server.url}/missing` })).status).toBe(404);
  });

  it('sends each request to its own origin when calls alternate between upstreams', async () => {
    const other = await FakeServer.start(() => ({ status: 200, body: { from: 'other' } }));
    try {
      const urls = [`${server.url}/one`, `${other.url}/two?q=1`, `${server.url}?x=1`, other.url, `${server.url}/three`];
      const answers = [];
      for (const url of urls) answers.push(JSON.parse((await transport.request({ method: 'GET', url })).text) as { path?: string; from?: string });
      expect(answers.map((a) => a.from ?? a.path)).toEqual(['/one', 'other', '/', 'other', '/three']);
      expect(other.requests.map((r) => r.path)).toEqual(['/two', '/']);
      await expect(transport.request({ method: 'GET', url: `${server.url.replace('http://', 'http://user:pw@')}/x` })).rejects.toBeInstanceOf(TransportError);
    } finally {
      await other.close();
    }
  });

  it('reads response headers lower-cased, with repeated ones joined', async () => {
    const raw = http.createServer((_req, res) => {
      res.writeHead(429, [
        ['Retry-After', '7'],
        ['Set-Cookie', 'a=1'],
        ['Set-Cookie', 'b=2'],
        ['X-Mixed-Case', 'yes'],
      ]);
      res.end('{"errcode":45009}');
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    try {
      const res = await transport.request({ method: 'GET', url: `http://127.0.0.1:${(raw.address() as AddressInfo).port}/` });
      expect(res.status).toBe(429);
      expect(res.text).toBe('{"errcode":45009}');
      expect(res.headers['retry-after']).toBe('7');
      expect(res.headers['set-cookie']).toBe('a=1, b=2');
      expect(res.headers['x-mixed-case']).toBe('yes');
    } finally {
      await new Promise((resolve) => raw.close(resolve));
    }
  });

  it('rejects resets and timeouts with a TransportError that does not print the URL', async () => {
    server.injectFaults({ reset: 1 });
    const reset = await transport.request({ method: 'GET', url: `${server.url}/x?access_token=SECRET_TOKEN_1` }).catch((e: unknown) => e);
    expect(reset).toBeInstanceOf(TransportError);
    expect((reset as TransportError).code).toBe('ECONNRESET');
    server.injectFaults({ hang: 1 });
    const hung = await transport.request({ method: 'GET', url: `${server.url}/y?key=SECRET_KEY_2`, timeoutMs: 150 }).catch((e: unknown) => e);
    expect((hung as TransportError).code).toBe('ETIMEDOUT');
    for (const e of [reset, hung]) expect(String((e as Error).message)).not.toMatch(/SECRET/);
    await expect(transport.request({ method: 'GET', url: 'not a url' })).rejects.toBeInstanceOf(TransportError);
    const before = server.requests.length;
    const injected = await transport.request({ method: 'GET', url: `${server.url}/z`, headers: { 'x-api-key': 'k\r\nx-evil: 1' } }).catch((e: unknown) => e);
    expect(injected).toBeInstanceOf(TransportError);
    expect(String((injected as Error).message)).toMatch(/invalid header/);
    expect(server.requests.length).toBe(before);
  });

  it('carries a wecom-app send end to end', async () => {
    const wecom = await startFakeWeCom();
    const channel = createChannel({ type: 'wecom-app', ...wecom.credentials, baseUrl: wecom.url }, { transport, tokenStore: new MemoryTokenStore() }) as WeComAppChannel;
    const result = await channel.send({ content: 'via node:http', to: { users: ['zhangsan'] } });
    expect(result.ok).toBe(true);
    expect(wecom.delivered[0].payload.content).toBe('via node:http');
    await wecom.close();
  });
});
