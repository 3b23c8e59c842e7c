import { createChannel, redactUrl, type GatewayConfig } from '@wxnotify/core';
import { AxiosTransport } from '@wxnotify/core/axios';
import { FakeServer, type FakeHandler } from '../support/fake-server';
import { VirtualClock } from '../support/virtual-clock';
import { rejection } from '../support/notify-errors';

const transport = new AxiosTransport();
let server: FakeServer | undefined;

async function serve(handler: FakeHandler): Promise<FakeServer> {
  server = await FakeServer.start(handler);
  return server;
}
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function channel(config: Partial<GatewayConfig> = {}) {
  return createChannel({ type: 'gateway', baseUrl: server?.url ?? 'http://127.0.0.1:9', ...config } as GatewayConfig, { transport, clock: new VirtualClock(), random: () => 0.5 });
}

describe('gateway client error mapping', () => {
  it('400 → non-retryable with the gateway message', async () => {
    await serve(() => ({ status: 400, body: { message: '参数错误: content 为必填' } }));
    const error = await rejection(channel({ code: 'abcd1234' }).send({ content: 'x' }));
    expect(error).toMatchObject({ code: 400, retryable: false, upstreamMessage: '参数错误: content 为必填' });
    expect(server!.requests).toHaveLength(1);
  });

  it('HTTP 200 with success:false is a failure, not a delivery', async () => {
    await serve(() => ({ status: 200, body: { success: false, message: '发送消息失败：好友不存在' } }));
    const error = await rejection(channel().send({ content: 'x', to: { wxid: 'wxid_a' } }));
    expect(error).toMatchObject({ code: 'SEND_FAILED', kind: 'upstream', retryable: false, upstreamMessage: '发送消息失败：好友不存在' });
  });

  it('HTTP 200 with a WeCom errcode != 0 on the code route is a failure with that errcode', async () => {
    await serve(() => ({ status: 200, body: { message: '发送失败', response: { errcode: 81013, errmsg: 'user & party & tag all invalid' } } }));
    const error = await rejection(channel({ code: 'abcd1234' }).send({ content: 'x' }));
    expect(error).toMatchObject({ code: 81013, retryable: false });
  });

  it('a 200 that is not gateway JSON → INVALID_RESPONSE with a baseUrl hint', async () => {
    await serve(() => ({ status: 200, body: '<html>login page</html>' }));
    const error = await rejection(channel({ code: 'abcd1234' }).send({ content: 'x' }));
    expect(error).toMatchObject({ code: 'INVALID_RESPONSE', retryable: false });
    expect(error.hint).toMatch(/baseUrl/);
  });

  it('one failing wxid surfaces as a partial failure next to the delivered ones', async () => {
    await serve((req) => {
      const { wxid } = req.json as { wxid: string };
      if (wxid === 'wxid_bad') return { status: 400, body: { success: false, message: 'wxid 不存在' } };
      return { body: { success: true, message: '消息发送成功', data: { newMsgId: '7265188027048533884', msgId: 1 } } };
    });
    const error = await rejection(channel().send({ content: 'x', to: { wxid: ['wxid_ok', 'wxid_bad'] } }));
    expect(error.partial).toMatchObject({ ok: false, messageIds: ['7265188027048533884'], partialFailures: [{ target: 'wxid', id: 'wxid_bad', code: 400 }] });
  });

  it('keeps 64-bit newMsgId exact when the gateway sends it as a bare number', async () => {
    await serve(() => ({ body: '{"success":true,"message":"ok","data":{"newMsgId":7265188027048533884,"msgId":1883401595}}', headers: { 'content-type': 'application/json' } }));
    const result = await channel().send({ content: 'x', to: { wxid: 'wxid_a' } });
    expect(result.messageIds).toEqual(['7265188027048533884']);
  });

  it('redacts the code in messages, also when the gateway echoes it', async () => {
    await serve((req) => ({ status: 404, body: { message: `no config for ${req.path}` } }));
    const error = await rejection(channel({ code: 'cap_secret_77' }).send({ content: 'x' }));
    expect(error.message).toContain('/api/notify/***');
    expect(JSON.stringify(error.toJSON())).not.toContain('cap_secret_77');
    expect(redactUrl('POST http://gw.local/api/notify/cap_secret_77 failed')).toBe('POST http://gw.local/api/notify/*** failed');
  });

  it('check() reports an unreachable gateway without throwing', async () => {
    const status = await channel({ baseUrl: 'http://127.0.0.1:9' }).check();
    expect(status.ok).toBe(false);
    expect(status.message).toMatch(/unreachable/);
  });
});

describe('gateway client input checks', () => {
  it('rejects bad configs and bad notifications before any request', async () => {
    expect(() => createChannel({ type: 'gateway' } as GatewayConfig)).toThrow(/baseUrl/);
    expect(() => createChannel({ type: 'gateway', baseUrl: 'ftp://x' })).toThrow(/baseUrl/);
    expect(() => createChannel({ type: 'gateway', baseUrl: 'http://x', code: 'a/b' })).toThrow(/code/);
    await serve(() => ({ body: {} }));
    expect((await rejection(channel({ code: 'abcd1234' }).send({ content: ' ' }))).code).toBe('EMPTY_CONTENT');
    expect((await rejection(channel().send({ content: 'x' }))).code).toBe('NO_RECIPIENTS');
    expect(server!.requests).toHaveLength(0);
  });
});
