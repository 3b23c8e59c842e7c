import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createChannel, MemoryTokenStore, NotifyError, TransportError, type WeComAppChannel } from '@wxnotify/core';
import { bypassesProxy, proxySettingsFromEnv } from '../../core/src/transport/forward-proxy';
import { NodeHttpTransport } from '../../core/src/transport/node-http-transport';
import { startFakeWeCom, type FakeWeCom } from '../fakes/wecom';
import { FakeProxy } from '../support/fake-proxy';

/** A self-signed certificate for 127.0.0.1, made with Debian's openssl (CI installs it). */
function selfSignedCert(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(path.join(tmpdir(), 'wxnotify-tls-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    return { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('NodeHttpTransport through a forward proxy', () => {
  let wecom: FakeWeCom;
  let tls: { key: Buffer; cert: Buffer };
  let secure: https.Server;
  let secureUrl: string;
  const transports: NodeHttpTransport[] = [];
  const transport = (options: ConstructorParameters<typeof NodeHttpTransport>[0]) => {
    const t = new NodeHttpTransport(options);
    transports.push(t);
    return t;
  };

  beforeAll(async () => {
    wecom = await startFakeWeCom();
    tls = selfSignedCert();
    secure = https.createServer(tls, (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errcode: 0, path: req.url, host: req.headers.host }));
    });
    await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve));
    secureUrl = `https://127.0.0.1:${(secure.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const t of transports) t.close();
    secure.closeAllConnections();
    await new Promise((resolve) => secure.close(resolve));
    await wecom.close();
  });

  it('carries WeCom sends to an http origin as absolute-form requests with proxy credentials, over kept-alive connections', async () => {
    const proxy = await FakeProxy.start({ credentials: 'ops:p@ss word' });
    try {
      const channel = createChannel(
        { type: 'wecom-app', ...wecom.credentials, baseUrl: wecom.url },
        { transport: transport({ proxy: proxy.withCredentials('ops:p%40ss%20word') }), tokenStore: new MemoryTokenStore() },
      ) as WeComAppChannel;
      for (let i = 0; i < 5; i++) expect((await channel.send({ content: `via proxy ${i}`, to: { users: ['zhangsan'] } })).ok).toBe(true);
      expect(proxy.refused).toBe(0);
      expect(proxy.forwarded[0]).toBe(`${wecom.url}/cgi-bin/gettoken?corpid=${wecom.credentials.corpId}&corpsecret=${wecom.credentials.corpSecret}`);
      expect(proxy.forwarded.filter((u) => u.startsWith(`${wecom.url}/cgi-bin/message/send?access_token=`))).toHaveLength(5);
      expect(proxy.connections).toBe(1);
      expect(wecom.delivered.at(-1)!.payload.content).toBe('via proxy 4');
    } finally {
      await proxy.close();
    }
  });

  it('tunnels https with CONNECT, verifies the upstream certificate, and reuses the tunnel', async () => {
    const proxy = await FakeProxy.start();
    try {
      const t = transport({ proxy: proxy.url, ca: tls.cert });
      for (const p of ['/a?x=1', '/b']) {
        const res = await t.request({ method: 'GET', url: `${secureUrl}${p}` });
        expect(JSON.parse(res.text)).toEqual({ errcode: 0, path: p, host: secureUrl.slice('https://'.length) });
      }
      expect(proxy.tunnels).toEqual([secureUrl.slice('https://'.length)]);
      expect(proxy.forwarded).toEqual([]);
      // Without the CA the tunnel opens but TLS refuses the self-signed upstream.
      const untrusting = transport({ proxy: proxy.url });
      await expect(untrusting.request({ method: 'GET', url: `${secureUrl}/c` })).rejects.toBeInstanceOf(TransportError);
    } finally {
      await proxy.close();
    }
  });

  it('a refused tunnel is an EPROXY error that names no proxy credentials, and the send says what to check', async () => {
    const proxy = await FakeProxy.start({ credentials: 'ops:right' });
    try {
      const t = transport({ proxy: proxy.withCredentials('ops:WRONG_SECRET'), ca: tls.cert });
      const error = await t.request({ method: 'GET', url: `${secureUrl}/x?access_token=TOKEN_SECRET` }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      expect((error as TransportError).code).toBe('EPROXY');
      expect(String((error as Error).message)).not.toMatch(/WRONG_SECRET|TOKEN_SECRET|ops/);
      expect(proxy.refused).toBe(1);

      const channel = createChannel(
        { type: 'wecom-app', corpId: 'wwproxy', corpSecret: 'proxy-secret', agentId: 1, baseUrl: secureUrl },
        { transport: t, tokenStore: new MemoryTokenStore(), retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } },
      ) as WeComAppChannel;
      const failed = await channel.send({ content: 'x', to: { users: ['zhangsan'] } }).catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(NotifyError);
      expect(failed).toMatchObject({ code: 'EPROXY', kind: 'network', retryable: true });
      expect((failed as NotifyError).hint).toMatch(/HTTPS_PROXY/);
      expect(JSON.stringify(failed)).not.toMatch(/WRONG_SECRET|proxy-secret/);
    } finally {
      await proxy.close();
    }
  });

  it('goes direct for NO_PROXY hosts and when the proxy is turned off', async () => {
    const proxy = await FakeProxy.start();
    try {
      for (const t of [transport({ proxy: proxy.url, noProxy: 'example.org, 127.0.0.1' }), transport({ proxy: false })]) {
        const res = await t.request({ method: 'GET', url: `${wecom.url}/cgi-bin/gettoken?corpid=${wecom.credentials.corpId}&corpsecret=${wecom.credentials.corpSecret}` });
        expect(JSON.parse(res.text)).toMatchObject({ errcode: 0 });
      }
      expect(proxy.connections).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it('an unusable proxy variable stops createChannel with a typed error instead of sending unproxied (fresh process)', () => {
    const script = `
      const { createChannel } = require(${JSON.stringify(path.join(__dirname, '../../core/dist'))});
      try { createChannel({ type: 'wecom-bot', key: 'abcd-efgh' }); console.log('created'); }
      catch (e) { console.log(JSON.stringify({ name: e.name, code: e.code, kind: e.kind, message: e.message, hint: e.hint })); }`;
    const out = execFileSync(process.execPath, ['-e', script], { env: { ...process.env, HTTPS_PROXY: 'socks5://ops:SOCKS_SECRET@10.0.0.1:1080' }, encoding: 'utf8' });
    const error = JSON.parse(out) as Record<string, string>;
    expect(error).toMatchObject({ name: 'NotifyError', code: 'INVALID_CONFIG', kind: 'validation' });
    expect(error.message).toMatch(/only http:\/\/ proxies/);
    expect(error.hint).toMatch(/proxy: false/);
    expect(out).not.toContain('SOCKS_SECRET');
  });

  it('reads HTTPS_PROXY / HTTP_PROXY / NO_PROXY like curl, lower-case first', () => {
    const settings = proxySettingsFromEnv({ https_proxy: 'http://u:p@10.0.0.1:3128', HTTPS_PROXY: 'http://ignored:1', HTTP_PROXY: '10.0.0.2:8080', NO_PROXY: 'localhost, .corp.example,10.1.2.3:8443' });
    expect(settings.https).toEqual({ hostname: '10.0.0.1', port: 3128, authorization: `Basic ${Buffer.from('u:p').toString('base64')}` });
    expect(settings.http).toEqual({ hostname: '10.0.0.2', port: 8080 });
    expect(bypassesProxy(settings.noProxy, 'localhost', '80')).toBe(true);
    expect(bypassesProxy(settings.noProxy, 'qyapi.corp.example', '443')).toBe(true);
    expect(bypassesProxy(settings.noProxy, 'corp.example', '443')).toBe(true);
    expect(bypassesProxy(settings.noProxy, 'notcorp.example', '443')).toBe(false);
    expect(bypassesProxy(settings.noProxy, '10.1.2.3', '8443')).toBe(true);
    expect(bypassesProxy(settings.noProxy, '10.1.2.3', '443')).toBe(false);
    expect(bypassesProxy(settings.noProxy, 'qyapi.weixin.qq.com', '443')).toBe(false);
    expect(bypassesProxy(['*'], 'anything', '1')).toBe(true);
    expect(proxySettingsFromEnv({})).toEqual({ http: undefined, https: undefined, noProxy: [] });
    expect(() => proxySettingsFromEnv({ HTTPS_PROXY: 'socks5://10.0.0.1:1080' })).toThrow(/only http:\/\//);
  });
});
