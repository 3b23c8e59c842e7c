import { Module, type INestApplication } from '@nestjs/common';
import { EventEmitterModule, OnEvent } from '@nestjs/event-emitter';
import { NestFactory } from '@nestjs/core';
import { buildFlatXml, WeComCallback } from '@wxnotify/core';
import { NOTIFY_CALLBACK_EVENTS, NotifyCallbacksModule, NotifyCallbacksService, type NotifyCallbackEvent } from '@wxnotify/nestjs';
import { GewechatFake } from '../fakes/gewechat';
import { JuheFake } from '../fakes/juhe';
import { postWxPusherCallback, wxPusherCallbacks } from '../fakes/wxpusher';
import { waitFor } from './support/wait';

// Vector A of upstream-apis.md (Tencent's WXBizMsgCrypt sample).
const WECOM = { token: 'QDG6eK', encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', receiveId: 'wx5823bf96d3bd56c7' };
const SECRET = 'cb-secret-7f3a9d';

describe('NotifyCallbacksModule', () => {
  let app: INestApplication;
  let base: string;
  const viaRx: NotifyCallbackEvent[] = [];
  const viaEmitter: NotifyCallbackEvent[] = [];

  class Listener {
    @OnEvent('wxnotify.callback.**')
    onCallback(event: NotifyCallbackEvent): void {
      viaEmitter.push(event);
    }
  }

  beforeAll(async () => {
    @Module({
      imports: [
        EventEmitterModule.forRoot({ wildcard: true }),
        NotifyCallbacksModule.forRoot({ path: 'hooks', wecom: WECOM, wxpusher: { secret: SECRET }, gewechat: { secret: SECRET }, juhe: { secret: SECRET } }),
      ],
      providers: [Listener],
    })
    class AppModule {}
    app = await NestFactory.create(AppModule, { logger: false, rawBody: true });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}/hooks`;
    app.get(NotifyCallbacksService).events$.subscribe((e) => viaRx.push(e));
  });

  afterAll(async () => {
    await app.close();
  });

  beforeEach(() => {
    viaRx.length = 0;
    viaEmitter.length = 0;
  });

  it('answers WeCom URL verification with the bare decrypted echostr', async () => {
    const echostr = 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==';
    const query = new URLSearchParams({ msg_signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3', timestamp: '1409659589', nonce: '263014780', echostr });
    const res = await fetch(`${base}/wecom?${query}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('1616140317555161061');
    const bad = await fetch(`${base}/wecom?${new URLSearchParams({ ...Object.fromEntries(query), msg_signature: '0'.repeat(40) })}`);
    expect(bad.status).toBe(403);
    expect(await bad.text()).toBe('');
  });

  it('decrypts a WeCom message push, answers an empty 200 and re-emits it', async () => {
    const sender = new WeComCallback(WECOM);
    const inner = buildFlatXml({ ToUserName: WECOM.receiveId, FromUserName: 'zhangsan', CreateTime: 1409659813, MsgType: 'text', Content: 'hello', MsgId: '4561255354251345929', AgentID: 218 });
    const encrypt = sender.encrypt(inner);
    const [timestamp, nonce] = ['1409659813', '1372623149'];
    const url = `${base}/wecom?${new URLSearchParams({ msg_signature: sender.sign(timestamp, nonce, encrypt), timestamp, nonce })}`;
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: buildFlatXml({ ToUserName: WECOM.receiveId, Encrypt: encrypt, AgentID: 218 }) });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    await waitFor(() => viaEmitter.length === 1, 'the emitted WeCom message');
    expect(viaRx[0]).toEqual({ source: 'wecom', message: expect.objectContaining({ Content: 'hello', MsgId: '4561255354251345929', FromUserName: 'zhangsan' }) });
    expect(viaEmitter[0]).toEqual(viaRx[0]);

    const tampered = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: buildFlatXml({ ToUserName: WECOM.receiveId, Encrypt: sender.encrypt('<xml></xml>'), AgentID: 218 }) });
    expect(tampered.status).toBe(403);
    expect(viaRx).toHaveLength(1);
  });

  it('accepts WxPusher callbacks only with the secret in the path', async () => {
    const ok = await postWxPusherCallback(`${base}/wxpusher/${SECRET}`, wxPusherCallbacks.subscribe({ uid: 'UID_erin', extra: 'user-7' }));
    expect(ok.status).toBe(200);
    const wrong = await postWxPusherCallback(`${base}/wxpusher/not-the-secret`, wxPusherCallbacks.subscribe());
    expect(wrong.status).toBe(404);
    await waitFor(() => viaRx.length === 1, 'the WxPusher event');
    expect(viaRx[0]).toMatchObject({ source: 'wxpusher', event: { type: 'subscribe', data: { uid: 'UID_erin', extra: 'user-7' } } });
    expect(viaEmitter.map((e) => e.source)).toEqual(['wxpusher']);
  });

  it('re-emits gewechat messages once (redeliveries dropped) with exact 64-bit ids', async () => {
    const gewechat = await GewechatFake.start();
    try {
      gewechat.callbackUrl = `${base}/gewechat/${SECRET}`;
      const raw = await gewechat.emitMessage({ from: 'wxid_friend', content: '你好', newMsgId: 7_234_567_890_123_456_789n });
      await gewechat.post(raw);
      await waitFor(() => viaRx.length >= 1, 'the gewechat message');
      await new Promise((r) => setTimeout(r, 50));
      expect(viaRx).toHaveLength(1);
      expect(viaRx[0]).toMatchObject({ source: 'gewechat', event: { kind: 'message' } });
      expect(JSON.stringify(viaRx[0])).toContain('7234567890123456789');
    } finally {
      await gewechat.close();
    }
  });

  it('re-emits JuHe 11010 messages once', async () => {
    const juhe = await JuheFake.start({ echo: 'none' });
    try {
      const guid = '5b1eb388-a4df-3da5-a49a-507eea46632c';
      await fetch(`${juhe.url}/client/set_notify_url`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ guid, notify_url: `${base}/juhe/${SECRET}` }) });
      const raw = await juhe.emitInbound(guid, { sender: '1688852792312821', content: 'ping', notifyType: 11010 });
      await fetch(`${base}/juhe/${SECRET}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw });
      await waitFor(() => viaRx.length >= 1, 'the JuHe message');
      await new Promise((r) => setTimeout(r, 50));
      expect(viaRx).toHaveLength(1);
      expect(viaRx[0]).toMatchObject({ source: 'juhe', kind: 'message', notifyType: 11010, message: { text: 'ping', direction: 'inbound' } });
      expect(viaEmitter.map((e) => e.source)).toEqual(['juhe']);
      expect(NOTIFY_CALLBACK_EVENTS.juheMessage).toBe('wxnotify.callback.juhe.message');
    } finally {
      await juhe.close();
    }
  });
});
