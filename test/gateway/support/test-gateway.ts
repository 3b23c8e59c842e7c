import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChannelConfig, ChannelDeps } from '@wxnotify/core';
import { startGateway, type RunningGateway } from '../../../gateway/src/bootstrap.js';
import { loadConfig, type GatewayConfig } from '../../../gateway/src/config.js';
import { GewechatFake } from '../../fakes/gewechat/index.js';
import { FakeWeCom } from '../../fakes/wecom/index.js';

/** An admin-scope key (WXNOTIFY_ADMIN_API_KEYS): the send routes and the admin API. */
export const TEST_API_KEY = 'wxk_test_key_0123456789abcdefghij';
/** A send-scope key (WXNOTIFY_API_KEYS): the send routes only. */
export const TEST_SEND_KEY = 'wxk_test_send_key_0123456789abcdef';
export const TEST_ADMIN_PASSWORD = 'admin-password-for-tests';
export const TEST_SECRET_KEY = 'a'.repeat(64);

export interface TestGatewayOptions {
  /** Extra env vars (WXNOTIFY_*). */
  env?: Record<string, string>;
  /** Config overrides applied after loading the env. */
  config?: Partial<GatewayConfig>;
  /** Reuse a data dir (restart tests). */
  dataDir?: string;
  channelDeps?: ChannelDeps;
  now?: () => number;
  /** Start without the personal-WeChat channel. */
  noWechat?: boolean;
  extraChannels?: (fakes: { gewe: GewechatFake; wecom: FakeWeCom }) => Record<string, ChannelConfig>;
  /** Reuse fakes across a restart. */
  fakes?: { gewe: GewechatFake; wecom: FakeWeCom };
}

export interface TestGateway {
  gw: RunningGateway;
  url: string;
  gewe: GewechatFake;
  wecom: FakeWeCom;
  dataDir: string;
  logs: string[];
  /** POST/GET JSON with the test API key unless `auth: false`. */
  call(method: string, path: string, body?: unknown, init?: { auth?: boolean; headers?: Record<string, string>; raw?: string }): Promise<{ status: number; headers: Headers; json: any; text: string }>;
  /** Creates a Code for the fake WeCom app (through the admin API, like the page does). */
  createCode(extra?: Record<string, unknown>): Promise<{ id: string; code: string; body: any }>;
  /** Stops the gateway only (fakes and data dir stay, for restarts). */
  stop(): Promise<void>;
  /** Stops everything and removes the data dir. */
  close(): Promise<void>;
}

/** A real gateway on an ephemeral loopback port, in front of fake gewechat and WeCom servers. */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const gewe = options.fakes?.gewe ?? (await GewechatFake.start());
  const wecom = options.fakes?.wecom ?? (await FakeWeCom.start());
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'wxnotify-gw-'));
  const logs: string[] = [];
  const config: GatewayConfig = {
    ...loadConfig({
      PORT: '0',
      WXNOTIFY_HOST: '127.0.0.1',
      WXNOTIFY_DATA_DIR: dataDir,
      WXNOTIFY_SECRET_KEY: TEST_SECRET_KEY,
      WXNOTIFY_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
      WXNOTIFY_API_KEYS: TEST_SEND_KEY,
      WXNOTIFY_ADMIN_API_KEYS: TEST_API_KEY,
      WXNOTIFY_WECOM_BASE_URL: wecom.url,
      WXNOTIFY_LOG_LEVEL: 'debug',
      // Tests flip the fake account on and off and probe at once (health.test.ts tests the cache).
      WXNOTIFY_HEALTH_CACHE_MS: '0',
      ...(options.noWechat ? {} : { GEWECHAT_BASE_URL: gewe.baseUrl, GEWECHAT_TOKEN: gewe.token, GEWECHAT_APP_ID: gewe.appId }),
      ...options.env,
    }),
    ...options.config,
  };
  if (options.extraChannels) config.channels = { ...config.channels, ...options.extraChannels({ gewe, wecom }) };
  let gw: RunningGateway;
  try {
    gw = await startGateway(config, { log: (line) => logs.push(line), channelDeps: { retry: { baseDelayMs: 1, maxDelayMs: 5 }, ...options.channelDeps }, now: options.now });
  } catch (error) {
    if (!options.fakes) await Promise.all([gewe.close(), wecom.close()]);
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }

  const call: TestGateway['call'] = async (method, path, body, init = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...init.headers };
    if (init.auth !== false) headers.authorization = `Bearer ${TEST_API_KEY}`;
    const res = await fetch(`${gw.url}${path}`, { method, headers, body: init.raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json, text };
  };

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await gw.close();
  };
  return {
    gw,
    url: gw.url,
    gewe,
    wecom,
    dataDir,
    logs,
    call,
    createCode: async (extra = {}) => {
      const res = await call('POST', '/admin/api/codes', { ...wecom.credentials, to: { users: ['zhangsan'] }, name: 'ops alerts', ...extra });
      if (res.status !== 201) throw new Error(`createCode failed: ${res.status} ${res.text}`);
      return { id: res.json.id as string, code: res.json.code as string, body: res.json };
    },
    stop,
    close: async () => {
      await stop();
      if (!options.fakes) await Promise.all([gewe.close(), wecom.close()]);
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
