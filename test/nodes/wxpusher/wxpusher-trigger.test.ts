import { WxPusherTrigger } from '../../../nodes/WxPusherTrigger/WxPusherTrigger.node';
import { postWxPusherCallback, wxPusherCallbacks } from '../../fakes/wxpusher';
import { WebhookHarness } from '../support/node-harness';

describe('WxPusher Trigger (in-process webhook)', () => {
	const node = new WxPusherTrigger();
	let hook: WebhookHarness;
	const secret = 'cb-secret-5f2a9';

	afterEach(async () => {
		await hook.close();
	});

	it('accepts the three actions with the secret in the query or header, replying exactly "success"', async () => {
		hook = await new WebhookHarness(node, { parameters: { secret } }).start();
		const res = await postWxPusherCallback(`${hook.url}?secret=${secret}`, wxPusherCallbacks.subscribe({ extra: 'user-42' }));
		expect(res).toEqual({ status: 200, text: 'success' });
		const viaHeader = await hook.request('POST', {}, JSON.stringify(wxPusherCallbacks.command({ content: 'status' })), { 'content-type': 'application/json', 'x-callback-secret': secret });
		expect(viaHeader.body).toBe('success');
		await hook.request('POST', { secret }, JSON.stringify(wxPusherCallbacks.orderPay({ amount: 990 })), { 'content-type': 'application/json' });
		const items = hook.returns.map((r) => r?.workflowData?.[0][0].json);
		expect(items).toEqual([
			expect.objectContaining({ type: 'subscribe', action: 'app_subscribe', data: expect.objectContaining({ uid: 'UID_alice', extra: 'user-42' }) }),
			expect.objectContaining({ type: 'command', action: 'send_up_cmd', data: expect.objectContaining({ content: 'status' }) }),
			expect.objectContaining({ type: 'payment', action: 'order_pay', data: expect.objectContaining({ amount: 990 }) }),
		]);
	});

	it('answers 403 to a missing or wrong secret and starts nothing', async () => {
		hook = await new WebhookHarness(node, { parameters: { secret } }).start();
		for (const query of [{}, { secret: 'wrong' }] as Array<Record<string, string>>) {
			const reply = await hook.request('POST', query, JSON.stringify(wxPusherCallbacks.subscribe()), { 'content-type': 'application/json' });
			expect(reply.status).toBe(403);
			expect(reply.returned).toEqual({ noWebhookResponse: true });
		}
	});

	it('Secret In "URL Path": the webhook path gets a :secret parameter, checked in constant time; query and header no longer count', async () => {
		expect(node.description.webhooks?.[0]).toMatchObject({
			path: expect.stringContaining('wxpusher/:secret'),
			isFullPath: expect.stringContaining('secretLocation'),
		});
		hook = await new WebhookHarness(node, { parameters: { secret, secretLocation: 'path' } }).start();
		const body = JSON.stringify(wxPusherCallbacks.subscribe({ extra: 'via-path' }));
		const json = { 'content-type': 'application/json' };
		const ok = await hook.request('POST', {}, body, json, 'default', `wxpusher/${secret}`);
		expect(ok).toMatchObject({ status: 200, body: 'success' });
		expect(ok.returned?.workflowData?.[0][0].json).toMatchObject({ action: 'app_subscribe', data: expect.objectContaining({ extra: 'via-path' }) });
		const attempts: Array<{ sub: string; query: Record<string, string>; headers: Record<string, string> }> = [
			{ sub: 'wxpusher/wrong', query: {}, headers: json },
			{ sub: `wxpusher/${secret}x`, query: {}, headers: json },
			{ sub: 'wxpusher/wrong', query: { secret }, headers: { ...json, 'x-callback-secret': secret } },
		];
		for (const attempt of attempts) {
			const reply = await hook.request('POST', attempt.query, body, attempt.headers, 'default', attempt.sub);
			expect(reply.status).toBe(403);
			expect(reply.returned).toEqual({ noWebhookResponse: true });
		}
	});

	it('a saved workflow without Secret In keeps the static path and the query/header secret', async () => {
		hook = await new WebhookHarness(node, { parameters: { secret } }).start();
		const reply = await hook.request('POST', {}, JSON.stringify(wxPusherCallbacks.subscribe()), { 'content-type': 'application/json' }, 'default', `wxpusher/${secret}`);
		expect(reply.status).toBe(403);
	});

	it('filters by action and rejects bodies that are not callbacks with 400', async () => {
		hook = await new WebhookHarness(node, { parameters: { actions: ['order_pay'] } }).start();
		const skipped = await hook.request('POST', {}, JSON.stringify(wxPusherCallbacks.subscribe()), { 'content-type': 'application/json' });
		expect(skipped.body).toBe('success');
		expect(skipped.returned?.workflowData).toBeUndefined();
		const bad = await hook.request('POST', {}, '{"nope":true}', { 'content-type': 'application/json' });
		expect(bad.status).toBe(400);
	});
});
