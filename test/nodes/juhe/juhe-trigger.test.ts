import type { IDataObject, INodeType } from 'n8n-workflow';
import { JuheFake } from '../../fakes/juhe';
import { runWebhookMethod, WebhookHarness } from '../support/node-harness';

const GUID = '5b1eb388-a4df-3da5-a49a-507eea46632c';

describe('JuHe WeCom Trigger (in-process webhook, fake JuHe hook)', () => {
	let fake: JuheFake;
	let hook: WebhookHarness;
	// The trigger's de-duplication memory is per process; every test gets a fresh module (the fake reuses ids).
	let node: INodeType;
	const credentials = () => ({ juheWeComApi: { mode: 'direct', baseUrl: fake.url, guid: GUID } });
	const start = async (parameters: IDataObject = {}) => {
		hook = await new WebhookHarness(node, { parameters, credentials: credentials() }).start();
		await runWebhookMethod(node, { credentials: credentials(), parameters, method: 'create', webhookBaseUrl: hook.url, staticData: {} });
	};

	beforeEach(async () => {
		jest.isolateModules(() => {
			// eslint-disable-next-line @typescript-eslint/no-require-imports
			node = new (require('../../../nodes/JuheWeComTrigger/JuheWeComTrigger.node') as typeof import('../../../nodes/JuheWeComTrigger/JuheWeComTrigger.node')).JuheWeComTrigger();
		});
		fake = await JuheFake.start({ echo: 11013 });
	});
	afterEach(async () => {
		await hook?.close();
		await fake.close();
	});

	it('registers the notify URL and turns an inbound 11010 message into one item', async () => {
		await start();
		expect(fake.clients.get(GUID)?.notifyUrl).toBe(`${hook.url}/test-webhook-id/juhe`);
		await fake.emitInbound(GUID, { sender: '1688852792312821', content: 'hello', contentAsJson: true });
		await fake.settle();
		const items = hook.returns.flatMap((r) => r?.workflowData?.[0] ?? []).map((i) => i.json);
		expect(items).toEqual([expect.objectContaining({ guid: GUID, notifyType: 11010, text: 'hello', direction: 'inbound', replyTo: 'S:1688852792312821' })]);
	});

	it('flattens a 11013 batch into one item per message and drops own echoes by default', async () => {
		await start();
		await fake.emitInbound(GUID, { sender: '1688857160788209', content: 'batched', roomid: '1970325468984112', notifyType: 11013 });
		// A send from this account comes back as an echo (send_flag 1) in a 11013 batch.
		const { JuheWeCom } = await import('../../../nodes/JuheWeCom/JuheWeCom.node');
		const { executeNode } = await import('../support/node-harness');
		await executeNode(new JuheWeCom(), { credentials: credentials(), parameters: { resource: 'message', operation: 'sendText', conversationIds: 'S:1688852792312821', content: 'from n8n' } });
		await fake.settle();
		const items = hook.returns.flatMap((r) => r?.workflowData?.[0] ?? []).map((i) => i.json);
		expect(items).toEqual([expect.objectContaining({ notifyType: 11013, text: 'batched', replyTo: 'R:1970325468984112' })]);
		expect(fake.posted).toHaveLength(2);
	});

	it('keeps echoes when asked, answers JSON ok, refuses non-callbacks with 400', async () => {
		await start({ ignoreEchoes: false });
		const { JuheWeCom } = await import('../../../nodes/JuheWeCom/JuheWeCom.node');
		const { executeNode } = await import('../support/node-harness');
		await executeNode(new JuheWeCom(), { credentials: credentials(), parameters: { resource: 'message', operation: 'sendText', conversationIds: 'S:1688852792312821', content: 'echo me' } });
		await fake.settle();
		const items = hook.returns.flatMap((r) => r?.workflowData?.[0] ?? []).map((i) => i.json);
		expect(items).toEqual([expect.objectContaining({ direction: 'echo', text: 'echo me' })]);
		const replay = await hook.request('POST', {}, fake.posted[0], { 'content-type': 'application/json' });
		expect(replay.status).toBe(200);
		expect(replay.body).toBe('{"code":0,"msg":"ok"}');
		expect(replay.returned?.workflowData).toBeUndefined();
		const bad = await hook.request('POST', {}, '[1,2]', { 'content-type': 'application/json' });
		expect(bad.status).toBe(400);
	});
});
