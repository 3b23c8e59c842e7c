import type { IDataObject } from 'n8n-workflow';
import { parseFlatXml, WeComCallback } from '../../../core/src';
import { WeComTrigger } from '../../../nodes/WeComTrigger/WeComTrigger.node';
import { runWebhookMethod, WebhookHarness } from '../support/node-harness';

// Tencent's WXBizMsgCrypt sample (upstream-apis.md §1.7, vectors A and B).
const VECTOR = {
	token: 'QDG6eK',
	encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
	corpId: 'wx5823bf96d3bd56c7',
};
const VECTOR_A = {
	msg_signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
	timestamp: '1409659589',
	nonce: '263014780',
	echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
};

/** What WeCom does: encrypt the message XML, sign it, POST the envelope with the signature in the query. */
function wecomPost(xml: string, opts: { timestamp?: string; token?: string } = {}) {
	const signer = new WeComCallback({ token: opts.token ?? VECTOR.token, encodingAESKey: VECTOR.encodingAesKey, receiveId: VECTOR.corpId });
	const timestamp = opts.timestamp ?? String(Math.floor(Date.now() / 1000));
	const nonce = '1372623149';
	const encrypt = signer.encrypt(xml);
	return {
		query: { msg_signature: signer.sign(timestamp, nonce, encrypt), timestamp, nonce },
		body: `<xml><ToUserName><![CDATA[${VECTOR.corpId}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>`,
	};
}

const textXml = (msgId: string, content = 'hello') =>
	`<xml><ToUserName><![CDATA[${VECTOR.corpId}]]></ToUserName><FromUserName><![CDATA[mycreate]]></FromUserName><CreateTime>1409659813</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>${msgId}</MsgId><AgentID>218</AgentID></xml>`;
const eventXml = `<xml><ToUserName><![CDATA[${VECTOR.corpId}]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[enter_agent]]></Event><AgentID>218</AgentID></xml>`;

describe('WeCom Trigger (in-process webhook, WeCom callback crypto)', () => {
	const node = new WeComTrigger();
	let hook: WebhookHarness;
	const start = async (parameters: IDataObject = {}) => {
		hook = await new WebhookHarness(node, { parameters, credentials: { weComCallbackApi: { ...VECTOR, baseUrl: 'http://127.0.0.1:9' } } }).start();
	};
	afterEach(async () => {
		await hook?.close();
	});

	it('answers URL verification (official vector A) with the bare plaintext, byte for byte', async () => {
		await start({ maxSkewSeconds: 0 });
		const reply = await hook.request('GET', VECTOR_A, undefined, {}, 'setup');
		expect(reply.status).toBe(200);
		expect(reply.body).toBe('1616140317555161061');
		expect(reply.headers['content-length']).toBe('19');
		expect(reply.returned).toEqual({ noWebhookResponse: true });
	});

	it('refuses a forged verification with 403 and a stale one with 403', async () => {
		await start({ maxSkewSeconds: 0 });
		const forged = await hook.request('GET', { ...VECTOR_A, msg_signature: '0'.repeat(40) }, undefined, {}, 'setup');
		expect(forged.status).toBe(403);
		expect(forged.body).not.toContain('1616140317555161061');
		await hook.close();
		await start({ maxSkewSeconds: 300 });
		const stale = await hook.request('GET', VECTOR_A, undefined, {}, 'setup');
		expect(stale.status).toBe(403);
	});

	it('decrypts a POSTed text message into one item and answers an empty 200; a redelivery starts nothing', async () => {
		await start();
		const { query, body } = wecomPost(textXml('4561255354251345929'));
		const reply = await hook.request('POST', query, body, { 'content-type': 'text/xml' });
		expect(reply.status).toBe(200);
		expect(reply.body).toBe('');
		expect(reply.returned?.workflowData?.[0].map((i) => i.json)).toEqual([
			expect.objectContaining({ MsgType: 'text', Content: 'hello', FromUserName: 'mycreate', MsgId: '4561255354251345929', AgentID: '218' }),
		]);
		const again = await hook.request('POST', query, body, { 'content-type': 'text/xml' });
		expect(again.status).toBe(200);
		expect(again.returned?.workflowData).toBeUndefined();
	});

	it('passes events and filters by message type', async () => {
		await start({ msgTypes: ['event'] });
		const text = wecomPost(textXml('4561255354251345930'));
		expect((await hook.request('POST', text.query, text.body, { 'content-type': 'text/xml' })).returned?.workflowData).toBeUndefined();
		const event = wecomPost(eventXml);
		const reply = await hook.request('POST', event.query, event.body, { 'content-type': 'text/xml' });
		expect(reply.returned?.workflowData?.[0][0].json).toMatchObject({ MsgType: 'event', Event: 'enter_agent', FromUserName: 'zhangsan' });
	});

	it('refuses forged (wrong token), stale and malformed POSTs without starting an execution', async () => {
		await start();
		const forged = wecomPost(textXml('1'), { token: 'not-the-token' });
		const forgedReply = await hook.request('POST', forged.query, forged.body, { 'content-type': 'text/xml' });
		expect(forgedReply.status).toBe(403);
		expect(forgedReply.returned).toEqual({ noWebhookResponse: true });

		const stale = wecomPost(textXml('2'), { timestamp: String(Math.floor(Date.now() / 1000) - 3600) });
		expect((await hook.request('POST', stale.query, stale.body, { 'content-type': 'text/xml' })).status).toBe(403);

		const malformed = await hook.request('POST', { msg_signature: 'x', timestamp: '1', nonce: '1' }, '<xml><nothing/></xml>', { 'content-type': 'text/xml' });
		expect(malformed.status).toBe(400);
		expect(hook.returns.every((r) => r?.workflowData === undefined)).toBe(true);
	});

	it('filters events by Event type; messages that are not events still follow the MsgType filter', async () => {
		await start({ events: ['subscribe'] });
		const enter = wecomPost(eventXml);
		expect((await hook.request('POST', enter.query, enter.body, { 'content-type': 'text/xml' })).returned?.workflowData).toBeUndefined();
		const subscribe = wecomPost(eventXml.replace('enter_agent', 'subscribe'));
		expect((await hook.request('POST', subscribe.query, subscribe.body, { 'content-type': 'text/xml' })).returned?.workflowData?.[0][0].json).toMatchObject({ Event: 'subscribe' });
		const text = wecomPost(textXml('4561255354251345931'));
		expect((await hook.request('POST', text.query, text.body, { 'content-type': 'text/xml' })).returned?.workflowData?.[0]).toHaveLength(1);
	});

	it('answers with an encrypted passive reply that WeCom can verify and decrypt, addressed back to the sender', async () => {
		await start({ passiveReply: '收到，处理中' });
		const { query, body } = wecomPost(textXml('4561255354251345932'));
		const reply = await hook.request('POST', query, body, { 'content-type': 'text/xml' });
		expect(reply.status).toBe(200);
		expect(reply.returned?.workflowData?.[0]).toHaveLength(1);
		const envelope = parseFlatXml(reply.body);
		const wecomSide = new WeComCallback({ token: VECTOR.token, encodingAESKey: VECTOR.encodingAesKey, receiveId: VECTOR.corpId });
		const inner = wecomSide.decryptMessage({ msg_signature: String(envelope.MsgSignature), timestamp: String(envelope.TimeStamp), nonce: String(envelope.Nonce) }, reply.body);
		expect(inner).toMatchObject({ ToUserName: 'mycreate', FromUserName: VECTOR.corpId, MsgType: 'text', Content: '收到，处理中' });
		// Events get no passive reply (WeCom shows none), only the empty 200.
		const event = wecomPost(eventXml);
		expect((await hook.request('POST', event.query, event.body, { 'content-type': 'text/xml' })).body).toBe('');
	});

	it('a malformed EncodingAESKey (with + or /) fails the credential test and the activation, naming the key', async () => {
		const bad = { ...VECTOR, encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B+/' };
		const test = node.methods.credentialTest.weComCallbackCredentialTest;
		const ctx = {} as never;
		expect(await test.call(ctx, { id: '1', name: 'c', type: 'weComCallbackApi', data: bad })).toMatchObject({ status: 'Error', message: expect.stringContaining('EncodingAESKey') });
		expect(await test.call(ctx, { id: '1', name: 'c', type: 'weComCallbackApi', data: VECTOR })).toMatchObject({ status: 'OK' });
		const activation = runWebhookMethod(node, { parameters: {}, credentials: { weComCallbackApi: bad }, method: 'checkExists' });
		await expect(activation).rejects.toThrow(/EncodingAESKey/);
		await expect(runWebhookMethod(node, { parameters: {}, credentials: { weComCallbackApi: VECTOR }, method: 'checkExists' })).resolves.toBe(true);
	});
});
