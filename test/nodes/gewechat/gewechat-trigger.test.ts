import type { IDataObject } from 'n8n-workflow';
import { GewechatTrigger } from '../../../nodes/GewechatTrigger/GewechatTrigger.node';
import { bigJson, GewechatFake } from '../../fakes/gewechat';
import { runWebhookMethod, WebhookHarness } from '../support/node-harness';

describe('Gewechat Trigger (in-process webhook, fake gewechat server)', () => {
	let fake: GewechatFake;
	let hook: WebhookHarness;
	const node = new GewechatTrigger();
	let staticData: IDataObject;
	const options = (parameters: IDataObject = {}) => ({
		credentials: { gewechatApi: { baseUrl: fake.baseUrl, token: fake.token, appId: fake.appId } },
		parameters,
		staticData,
		webhookBaseUrl: hook.url,
	});

	beforeEach(async () => {
		fake = await GewechatFake.start();
		staticData = {};
		hook = await new WebhookHarness(node, { parameters: {}, credentials: {} }).start();
	});
	afterEach(async () => {
		await hook.close();
		await fake.close();
	});

	it('registers its webhook URL on activation and remembers it', async () => {
		expect(await runWebhookMethod(node, { ...options(), method: 'checkExists' })).toBe(false);
		expect(await runWebhookMethod(node, { ...options(), method: 'create' })).toBe(true);
		expect(fake.callbackUrl).toBe(`${hook.url}/test-webhook-id/gewechat`);
		expect(await runWebhookMethod(node, { ...options(), method: 'checkExists' })).toBe(true);
		expect(await runWebhookMethod(node, { ...options(), method: 'delete' })).toBe(true);
		expect(await runWebhookMethod(node, { ...options(), method: 'checkExists' })).toBe(false);
	});

	it('turns AddMsg into one item (exact 64-bit id), answers SUCCESS, drops redeliveries and the probe', async () => {
		await runWebhookMethod(node, { ...options(), method: 'create' });
		const body = await fake.emitMessage({ from: 'wxid_friend_a', content: 'ping', newMsgId: 9223372036854775001n });
		// the probe from setCallback + the message arrived at the trigger
		const itemsSoFar = hook.returns.flatMap((r) => r?.workflowData?.[0] ?? []);
		expect(itemsSoFar).toHaveLength(1);
		expect(itemsSoFar[0].json).toMatchObject({ kind: 'message', newMsgId: '9223372036854775001', text: 'ping', fromWxid: 'wxid_friend_a', isSelf: false });

		const replay = await hook.request('POST', {}, body, { 'content-type': 'application/json' });
		expect(replay.status).toBe(200);
		expect(replay.body).toBe('SUCCESS');
		expect(replay.returned?.workflowData).toBeUndefined();
	});

	it('ignores own messages unless asked, and passes other events when selected', async () => {
		const ownMessage = (id: bigint) =>
			bigJson({ TypeName: 'AddMsg', Appid: fake.appId, Wxid: fake.wxid, Data: { NewMsgId: id, FromUserName: { string: fake.wxid }, ToUserName: { string: 'wxid_friend_a' }, MsgType: 1, Content: { string: 'me' } } });
		const own = ownMessage(123456789012345678n);
		let reply = await hook.request('POST', {}, own, { 'content-type': 'application/json' });
		expect(reply.body).toBe('SUCCESS');
		expect(reply.returned?.workflowData).toBeUndefined();

		const hook2 = await new WebhookHarness(node, { parameters: { ignoreSelf: false, events: ['AddMsg', 'other'] }, credentials: {} }).start();
		try {
			const own2 = ownMessage(123456789012345679n);
			reply = await hook2.request('POST', {}, own2, { 'content-type': 'application/json' });
			expect(reply.returned?.workflowData?.[0][0].json).toMatchObject({ isSelf: true, text: 'me' });
			reply = await hook2.request('POST', {}, JSON.stringify({ TypeName: 'Offline', Appid: fake.appId, Wxid: fake.wxid }), { 'content-type': 'application/json' });
			expect(reply.returned?.workflowData?.[0][0].json).toMatchObject({ kind: 'event', typeName: 'Offline' });
		} finally {
			await hook2.close();
		}
	});

	it('answers 400 to a body that is not a gewechat callback and starts nothing', async () => {
		const reply = await hook.request('POST', {}, '{"hello":1}', { 'content-type': 'application/json' });
		expect(reply.status).toBe(400);
		expect(reply.returned).toEqual({ noWebhookResponse: true });
	});
});
