/**
 * n8n-nodes-wxnotify inside a real n8n 2.41.1: the packed tarball installed like a community
 * package, every action node/operation pair executed against the fake upstreams, the four
 * triggers published and driven through production webhook URLs under `n8n start`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { WeComCallback } from '../../core/src';
import { FakeGateway, DEFAULT_GATEWAY_CODE } from '../fakes/gateway';
import { GewechatFake } from '../fakes/gewechat';
import { JuheFake } from '../fakes/juhe';
import { startFakeRobot, startFakeWeCom, type FakeRobot, type FakeWeCom } from '../fakes/wecom';
import { DEFAULT_APP_TOKEN, FakeWxPusher, wxPusherCallbacks } from '../fakes/wxpusher';
import { createInstance, executedNodes, N8nInstance, nodeOutput } from './harness';
import { buildAndPackWxnotify, builtin, connect, resourceLocatorResults, wx, type CredentialRef } from './wxnotify-fixtures';

const GUID = '5b1eb388-a4df-3da5-a49a-507eea46632c';
const PNG_B64 = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(96, 5)]).toString('base64');
const CALLBACK = { token: 'cbToken42', encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', corpId: 'wwfakecorp00000001' };
const WXP_SECRET = 'wxp-cb-secret-77';
const HOOK = { wecom: '11111111-2222-4333-8444-000000000001', wxpusher: '11111111-2222-4333-8444-000000000002', gewechat: '11111111-2222-4333-8444-000000000003', juhe: '11111111-2222-4333-8444-000000000004', wxpusherPath: '11111111-2222-4333-8444-000000000005' };

const manual = builtin('Manual', 'manualTrigger', 1, {});
const seed = builtin('Seed', 'set', 3.4, { mode: 'raw', jsonOutput: JSON.stringify({ png: PNG_B64 }), options: {} });
const toFile = builtin('To File', 'convertToFile', 1.1, { operation: 'toBinary', sourceProperty: 'png', binaryPropertyName: 'data', options: { fileName: 'chart.png', mimeType: 'image/png' } });

describe('n8n-nodes-wxnotify in a real n8n', () => {
	let n8n: N8nInstance;
	let packDir: string;
	let wecom: FakeWeCom;
	let robot: FakeRobot;
	let wxpusher: FakeWxPusher;
	let gewe: GewechatFake;
	let juhe: JuheFake;
	let gateway: FakeGateway;
	const creds: Record<string, CredentialRef> = {};

	beforeAll(async () => {
		const pack = buildAndPackWxnotify();
		packDir = pack.dir;
		[wecom, robot, wxpusher, gewe, juhe, gateway] = await Promise.all([
			startFakeWeCom(),
			startFakeRobot(),
			FakeWxPusher.start(),
			GewechatFake.start(),
			JuheFake.start({ echo: 'none' }),
			FakeGateway.start(),
		]);
		n8n = await createInstance({ packageTarball: pack.tarball });
		const imported = await n8n.importCredentials([
			{ name: 'WeCom app', type: 'weComAppApi', data: { baseUrl: wecom.url, corpId: wecom.corpId, secret: wecom.corpSecret, agentId: wecom.agentId } },
			{ name: 'WeCom app (wrong secret)', type: 'weComAppApi', data: { baseUrl: wecom.url, corpId: wecom.corpId, secret: 'wrong-secret', agentId: wecom.agentId } },
			{ name: 'WeCom robot', type: 'weComRobotApi', data: { baseUrl: robot.url, key: robot.key } },
			{ name: 'WeCom robot (wrong key)', type: 'weComRobotApi', data: { baseUrl: robot.url, key: '00000000-1111-4222-a333-444444444444' } },
			{ name: 'WxPusher app', type: 'wxPusherApi', data: { baseUrl: wxpusher.url, authType: 'appToken', appToken: DEFAULT_APP_TOKEN } },
			{ name: 'WxPusher SPT', type: 'wxPusherApi', data: { baseUrl: wxpusher.url, authType: 'spt', spt: 'SPT_hostTest123' } },
			{ name: 'Gewechat', type: 'gewechatApi', data: { baseUrl: gewe.baseUrl, token: gewe.token, appId: gewe.appId } },
			{ name: 'JuHe', type: 'juheWeComApi', data: { mode: 'gateway', baseUrl: juhe.url, guid: GUID, appKey: juhe.appKey, appSecret: juhe.appSecret } },
			{ name: 'Gateway', type: 'notifyGatewayApi', data: { baseUrl: gateway.url, code: DEFAULT_GATEWAY_CODE, apiKey: '' } },
			{ name: 'WeCom callback', type: 'weComCallbackApi', data: { baseUrl: wecom.url, ...CALLBACK } },
		]);
		for (const c of imported) creds[c.name] = { [c.type]: { id: c.id, name: c.name } };
	});

	afterAll(async () => {
		await n8n?.dispose();
		await Promise.all([wecom, robot, wxpusher, gewe, juhe, gateway].map((f) => f?.close()));
		if (packDir) fs.rmSync(packDir, { recursive: true, force: true });
	});

	it('executes every action node/operation pair against the fakes', async () => {
		const app = creds['WeCom app'];
		const bot = creds['WeCom robot'];
		const wxp = creds['WxPusher app'];
		const gw = creds['Gewechat'];
		const jh = creds['JuHe'];
		const gtw = creds['Gateway'];
		const card = JSON.stringify({ card_type: 'text_notice', main_title: { title: 'Alert' }, card_action: { type: 1, url: 'https://example.com' } });
		const actions = [
			wx('WeCom text', 'weCom', { resource: 'message', operation: 'send', messageType: 'text', content: 'host text', toUsers: ['zhangsan'], toParties: ['2'] }, app),
			wx(
				'WeCom picked',
				'weCom',
				{
					resource: 'message',
					operation: 'send',
					messageType: 'text',
					content: 'host picked',
					userPicks: { user: [{ id: { __rl: true, mode: 'list', value: 'lisi', cachedResultName: '李四 (lisi)' } }, { id: { __rl: true, mode: 'id', value: 'wangwu' } }] },
					departmentPicks: { department: [{ id: { __rl: true, mode: 'id', value: '3' } }] },
				},
				app,
			),
			wx('WeCom markdown', 'weCom', { resource: 'message', operation: 'send', messageType: 'markdown', content: '**host md**', toUsers: ['zhangsan'] }, app),
			wx('WeCom textcard', 'weCom', { resource: 'message', operation: 'send', messageType: 'textcard', title: 'Card', content: 'host card', url: 'https://example.com/c', toUsers: ['zhangsan'] }, app),
			wx('WeCom news', 'weCom', { resource: 'message', operation: 'send', messageType: 'news', title: 'News', content: 'host news', url: 'https://example.com/n', toUsers: ['zhangsan'] }, app),
			wx('WeCom image', 'weCom', { resource: 'message', operation: 'send', messageType: 'image', binaryPropertyName: 'data', toUsers: ['zhangsan'] }, app),
			wx('WeCom file', 'weCom', { resource: 'message', operation: 'send', messageType: 'file', binaryPropertyName: 'data', toUsers: ['zhangsan'] }, app),
			wx('WeCom card', 'weCom', { resource: 'message', operation: 'send', messageType: 'template_card', templateCard: card, toUsers: ['zhangsan'] }, app),
			wx('WeCom upload', 'weCom', { resource: 'media', operation: 'upload', mediaType: 'file', binaryPropertyName: 'data' }, app),
			wx('Robot text', 'weComRobot', { resource: 'message', operation: 'send', messageType: 'text', content: 'host robot', mentionedList: '@all' }, bot),
			wx('Robot markdown', 'weComRobot', { resource: 'message', operation: 'send', messageType: 'markdown', content: '**host**' }, bot),
			wx('Robot markdown v2', 'weComRobot', { resource: 'message', operation: 'send', messageType: 'markdown_v2', content: '| a |\n|---|\n| 1 |' }, bot),
			wx('Robot image', 'weComRobot', { resource: 'message', operation: 'send', messageType: 'image', binaryPropertyName: 'data' }, bot),
			wx('Robot news', 'weComRobot', { resource: 'message', operation: 'send', messageType: 'news', title: 'Robot news', content: 'n', url: 'https://example.com/r' }, bot),
			wx('Robot file', 'weComRobot', { resource: 'message', operation: 'send', messageType: 'file', binaryPropertyName: 'data' }, bot),
			wx('Robot card', 'weComRobot', { resource: 'message', operation: 'send', messageType: 'template_card', templateCard: card }, bot),
			wx('WxPusher send', 'wxPusher', { resource: 'message', operation: 'send', content: 'host wxp', format: 'markdown', uids: 'UID_alice' }, wxp),
			wx('WxPusher SPT send', 'wxPusher', { resource: 'message', operation: 'send', content: 'host spt', format: 'text' }, creds['WxPusher SPT']),
			wx('WxPusher status', 'wxPusher', { resource: 'message', operation: 'queryStatus', sendRecordId: '1' }, wxp),
			wx('WxPusher QR', 'wxPusher', { resource: 'qrCode', operation: 'create', extra: 'host-user', validTime: 600 }, wxp),
			wx('WxPusher list', 'wxPusher', { resource: 'follower', operation: 'list', returnAll: true }, wxp),
			wx('WxPusher block', 'wxPusher', { resource: 'follower', operation: 'block', followerId: '102' }, wxp),
			wx('WxPusher unblock', 'wxPusher', { resource: 'follower', operation: 'unblock', followerId: '102' }, wxp),
			wx('WxPusher remove', 'wxPusher', { resource: 'follower', operation: 'remove', followerId: '103' }, wxp),
			wx('Gewechat text', 'gewechat', { resource: 'message', operation: 'sendText', to: '34757816141@chatroom', content: '@A host', ats: 'wxid_friend_a' }, gw),
			wx('Gewechat image', 'gewechat', { resource: 'message', operation: 'sendImage', to: 'wxid_friend_a', imgUrl: 'https://example.com/a.png' }, gw),
			wx('Gewechat file', 'gewechat', { resource: 'message', operation: 'sendFile', to: 'wxid_friend_a', fileUrl: 'https://example.com/a.pdf', fileName: 'a.pdf' }, gw),
			wx('Gewechat link', 'gewechat', { resource: 'message', operation: 'sendLink', to: 'wxid_friend_b', title: 'L', linkUrl: 'https://example.com/l' }, gw),
			wx('Gewechat contacts', 'gewechat', { resource: 'contact', operation: 'getAll' }, gw),
			wx('Gewechat online', 'gewechat', { resource: 'account', operation: 'checkOnline' }, gw),
			wx('JuHe clients', 'juheWeCom', { resource: 'client', operation: 'getAll' }, jh),
			wx('JuHe status', 'juheWeCom', { resource: 'client', operation: 'getStatus' }, jh),
			wx('JuHe sessions', 'juheWeCom', { resource: 'session', operation: 'getAll' }, jh),
			wx('JuHe send', 'juheWeCom', { resource: 'message', operation: 'sendText', conversationIds: '1688852792312821, R:1970325468984112', content: 'host juhe' }, jh),
			wx('Gateway code', 'notifyGateway', { resource: 'message', operation: 'send', route: 'code', title: 'T', content: 'host gw' }, gtw),
			wx('Gateway wxid', 'notifyGateway', { resource: 'message', operation: 'send', route: 'wxid', wxids: 'wxid_a', content: 'host gw wxid' }, gtw),
		];
		const chained = [
			wx('WeCom recall', 'weCom', { resource: 'message', operation: 'recall', msgid: '={{ $json.messageIds[0] }}' }, app),
			wx('WxPusher scanned', 'wxPusher', { resource: 'qrCode', operation: 'getScannedUid', code: '={{ $json.code }}' }, wxp),
		];
		const wfId = await n8n.importWorkflow({
			name: 'wxnotify every action',
			nodes: [manual, seed, toFile, ...actions, ...chained],
			connections: connect([
				['Manual', 'Seed'],
				['Seed', 'To File'],
				...actions.map((a) => ['To File', a.name] as [string, string]),
				['WeCom text', 'WeCom recall'],
				['WxPusher QR', 'WxPusher scanned'],
			]),
		});

		const res = await n8n.execute(wfId);
		if (res.exitCode !== 0) throw new Error(`execution failed: ${JSON.stringify(res.run?.data.resultData.error ?? res.stderr.slice(-2000))}`);
		const ran = executedNodes(res.run);
		for (const node of [...actions, ...chained]) expect(ran).toContain(node.name);

		const out = (name: string) => nodeOutput(res.run, name);
		for (const name of actions.filter((a) => String(a.parameters.operation).startsWith('send') && a.name !== 'JuHe send').map((a) => a.name)) {
			expect({ name, ok: out(name)[0].ok }).toEqual({ name, ok: true });
		}
		// Upstreams saw exactly the wire calls.
		expect(wecom.delivered.map((d) => d.msgtype).sort()).toEqual(['file', 'image', 'markdown', 'news', 'template_card', 'text', 'text', 'textcard']);
		expect(wecom.delivered.find((d) => (d.payload as { content?: string }).content === 'host picked')).toMatchObject({ touser: ['lisi', 'wangwu'], toparty: ['3'] });
		expect(wecom.gettokenCalls).toBe(1);
		expect(wecom.recalled).toEqual([(out('WeCom text')[0].messageIds as string[])[0]]);
		expect(out('WeCom upload')[0]).toMatchObject({ mediaId: expect.any(String), type: 'file' });
		expect(robot.delivered.map((d) => d.msgtype).sort()).toEqual(['file', 'image', 'markdown', 'markdown_v2', 'news', 'template_card', 'text']);
		expect(wxpusher.sends.map((s) => s.kind).sort()).toEqual(['simple', 'standard']);
		expect(out('WxPusher list').map((u) => u.uid)).toEqual(['UID_alice', 'UID_bob', 'UID_carol']);
		expect(out('WxPusher scanned')[0]).toMatchObject({ scanned: false, uid: null });
		expect(gewe.sent.map((s) => s.path).sort()).toEqual(['/message/postFile', '/message/postImage', '/message/postLink', '/message/postText']);
		expect(out('Gewechat online')[0]).toEqual({ online: true });
		expect(out('JuHe clients')).toEqual([{ guid: GUID }]);
		expect(out('JuHe send')[0]).toMatchObject({ ok: true, details: { repaired: 1 } });
		expect(juhe.sent.map((s) => s.conversationId).sort()).toEqual(['R:1970325468984112', 'S:1688852792312821']);
		expect(gateway.delivered.map((d) => d.route).sort()).toEqual(['code', 'wxid']);
		// No secret anywhere in what n8n stored for the run.
		const stored = JSON.stringify(res.run);
		for (const secret of [wecom.corpSecret, robot.key, DEFAULT_APP_TOKEN, gewe.token, juhe.appSecret, DEFAULT_GATEWAY_CODE]) expect(stored).not.toContain(secret);
	});

	it('1,000 items through the WeCom node in one execution: one token fetch, every item paired', async () => {
		const before = { delivered: wecom.delivered.length, tokens: wecom.gettokenCalls };
		const wfId = await n8n.importWorkflow({
			name: 'wecom 1000 items',
			nodes: [
				manual,
				builtin('Numbers', 'set', 3.4, { mode: 'raw', jsonOutput: JSON.stringify({ n: Array.from({ length: 1000 }, (_v, i) => i) }), options: {} }),
				builtin('Split', 'splitOut', 1, { fieldToSplitOut: 'n', include: 'noOtherFields', options: {} }),
				// One member per item: 1,000 messages to one member would (rightly) be coalesced at 30/min.
				wx('Bulk', 'weCom', { resource: 'message', operation: 'send', messageType: 'text', content: '={{ "bulk " + $json.n }}', toUsers: '={{ ["member" + $json.n] }}' }, creds['WeCom app']),
			],
			connections: connect([
				['Manual', 'Numbers'],
				['Numbers', 'Split'],
				['Split', 'Bulk'],
			]),
		});
		const started = Date.now();
		const res = await n8n.execute(wfId);
		const wallMs = Date.now() - started;
		expect(res.exitCode).toBe(0);
		const items = res.run!.data.resultData.runData.Bulk[0].data!.main![0]!;
		expect(items).toHaveLength(1000);
		expect(items.map((i) => (i.pairedItem as { item: number }).item)).toEqual(Array.from({ length: 1000 }, (_v, i) => i));
		expect(wecom.delivered.length - before.delivered).toBe(1000);
		expect(wecom.gettokenCalls - before.tokens).toBe(1);
		const runs = res.run!.data.resultData.runData.Bulk[0] as { executionTime?: number };
		// A figure for the report, not an assertion.
		console.log(`[wxnotify host] 1,000 WeCom sends: node executionTime ${runs.executionTime} ms, n8n execute wall ${wallMs} ms`);
	});

	it('continue-on-fail yields {error, code, hint, retryable}; without it the execution fails with NodeApiError', async () => {
		const bad = creds['WeCom robot (wrong key)'];
		const soft = await n8n.importWorkflow({
			name: 'robot wrong key (continue)',
			nodes: [manual, wx('Robot bad', 'weComRobot', { resource: 'message', operation: 'send', messageType: 'text', content: 'x' }, bad, { onError: 'continueRegularOutput' })],
			connections: connect([['Manual', 'Robot bad']]),
		});
		const softRun = await n8n.execute(soft);
		expect(softRun.exitCode).toBe(0);
		expect(nodeOutput(softRun.run, 'Robot bad')[0]).toMatchObject({ code: 93000, retryable: false, hint: expect.any(String), error: expect.any(String) });

		const hard = await n8n.importWorkflow({
			name: 'robot wrong key (stop)',
			nodes: [manual, wx('Robot bad', 'weComRobot', { resource: 'message', operation: 'send', messageType: 'text', content: 'x' }, bad)],
			connections: connect([['Manual', 'Robot bad']]),
		});
		const hardRun = await n8n.execute(hard);
		expect(hardRun.exitCode).not.toBe(0);
		expect(JSON.stringify(hardRun.run?.data.resultData.error)).toContain('NodeApiError');
		expect(hardRun.stdout + hardRun.stderr).not.toContain('00000000-1111-4222-a333-444444444444');
	});

	describe('triggers under n8n start', () => {
		beforeAll(async () => {
			const workflows = [
				{
					name: 'wecom trigger',
					nodes: [
						wx('WeCom Trigger', 'weComTrigger', { msgTypes: [], maxSkewSeconds: 300 }, creds['WeCom callback'], { webhookId: HOOK.wecom }),
						wx('Echo to robot', 'weComRobot', { resource: 'message', operation: 'send', messageType: 'text', content: '={{ "wecom said: " + $json.Content }}' }, creds['WeCom robot']),
					],
					connections: connect([['WeCom Trigger', 'Echo to robot']]),
				},
				{
					// The alert flow of the docs: Webhook → WeCom Robot in "Alert payload" mode, no template written.
					name: 'alertmanager to robot',
					nodes: [
						{ ...builtin('Alert Webhook', 'webhook', 2, { httpMethod: 'POST', path: 'wx-alerts', responseMode: 'onReceived', options: {} }), webhookId: '11111111-2222-4333-8444-0000000000ab' },
						wx('Alert to robot', 'weComRobot', { resource: 'message', operation: 'send', inputMode: 'alert' }, creds['WeCom robot']),
					],
					connections: connect([['Alert Webhook', 'Alert to robot']]),
				},
				{
					name: 'wxpusher trigger',
					nodes: [
						wx('WxPusher Trigger', 'wxPusherTrigger', { secret: WXP_SECRET, actions: [] }, undefined, { webhookId: HOOK.wxpusher }),
						wx('Welcome', 'wxPusher', { resource: 'message', operation: 'send', content: '={{ "welcome " + $json.data.extra }}', uids: '={{ $json.data.uid }}' }, creds['WxPusher app']),
					],
					connections: connect([['WxPusher Trigger', 'Welcome']]),
				},
				{
					name: 'wxpusher trigger (secret in path)',
					nodes: [
						wx('WxPusher Path Trigger', 'wxPusherTrigger', { secretLocation: 'path', secret: WXP_SECRET, actions: [] }, undefined, { webhookId: HOOK.wxpusherPath }),
						wx('Welcome (path)', 'wxPusher', { resource: 'message', operation: 'send', content: '={{ "path welcome " + $json.data.extra }}', uids: '={{ $json.data.uid }}' }, creds['WxPusher app']),
					],
					connections: connect([['WxPusher Path Trigger', 'Welcome (path)']]),
				},
				{
					name: 'gewechat trigger',
					nodes: [
						wx('Gewechat Trigger', 'gewechatTrigger', { registerCallback: true, events: ['AddMsg'], ignoreSelf: true }, creds['Gewechat'], { webhookId: HOOK.gewechat }),
						wx('Reply', 'gewechat', { resource: 'message', operation: 'sendText', to: '={{ $json.replyTo }}', content: '={{ "pong " + $json.newMsgId }}' }, creds['Gewechat']),
					],
					connections: connect([['Gewechat Trigger', 'Reply']]),
				},
				{
					name: 'juhe trigger',
					nodes: [
						wx('JuHe Trigger', 'juheWeComTrigger', { registerNotifyUrl: true, ignoreEchoes: true, includeEvents: false }, creds['JuHe'], { webhookId: HOOK.juhe }),
						wx('JuHe reply', 'juheWeCom', { resource: 'message', operation: 'sendText', conversationIds: '={{ $json.replyTo }}', content: '={{ "re: " + $json.text }}' }, creds['JuHe']),
					],
					connections: connect([['JuHe Trigger', 'JuHe reply']]),
				},
			];
			for (const wf of workflows) await n8n.publish(await n8n.importWorkflow(wf));
			await n8n.start();
			await Promise.all([
				n8n.waitForWebhook(n8n.webhookUrl(HOOK.wecom, 'wecom'), { method: 'POST' }),
				n8n.waitForWebhook(n8n.webhookUrl(HOOK.wxpusher, 'wxpusher'), { method: 'POST' }),
				n8n.waitForWebhook(n8n.webhookUrl(HOOK.wxpusherPath, `wxpusher/${WXP_SECRET}`), { method: 'POST' }),
				n8n.waitForWebhook(n8n.webhookUrl(HOOK.gewechat, 'gewechat'), { method: 'POST' }),
				n8n.waitForWebhook(n8n.webhookUrl(HOOK.juhe, 'juhe'), { method: 'POST' }),
				n8n.waitForWebhook(n8n.webhookUrl('wx-alerts'), { method: 'POST' }),
			]);
		});

		const until = async (what: string, check: () => boolean, timeoutMs = 20_000) => {
			const deadline = Date.now() + timeoutMs;
			while (!check()) {
				if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
				await new Promise((r) => setTimeout(r, 100));
			}
		};

		it('registers every node of the package (and the AI tool variant of the action nodes)', async () => {
			await n8n.login(); // nodeTypes() does not log in by itself
			const types = (await n8n.nodeTypes()).map((t) => t.name);
			for (const name of ['weCom', 'weComRobot', 'wxPusher', 'gewechat', 'juheWeCom', 'notifyGateway', 'weComTrigger', 'wxPusherTrigger', 'gewechatTrigger', 'juheWeComTrigger']) {
				expect(types).toContain(`n8n-nodes-wxnotify.${name}`);
			}
			expect(types).toContain('n8n-nodes-wxnotify.weComTool');
		});

		it('credential tests run through n8n: good credentials pass without sending anything, a wrong robot key fails', async () => {
			const sendsBefore = wecom.delivered.length + robot.delivered.length;
			const test = (name: string, data: Record<string, unknown>) => {
				const [type, ref] = Object.entries(creds[name])[0];
				return n8n.testCredential({ id: ref.id, name, type, data });
			};
			expect(await test('WeCom app', { baseUrl: wecom.url, corpId: wecom.corpId, secret: wecom.corpSecret, agentId: wecom.agentId })).toMatchObject({ status: 'OK' });
			expect(await test('WeCom app', { baseUrl: wecom.url, corpId: wecom.corpId, secret: 'wrong-secret', agentId: wecom.agentId })).toMatchObject({ status: 'Error' });
			expect(await test('WeCom robot', { baseUrl: robot.url, key: robot.key })).toMatchObject({ status: 'OK' });
			expect(await test('WeCom robot (wrong key)', { baseUrl: robot.url, key: '00000000-1111-4222-a333-444444444444' })).toMatchObject({ status: 'Error' });
			expect(await test('Gewechat', { baseUrl: gewe.baseUrl, token: gewe.token, appId: gewe.appId })).toMatchObject({ status: 'OK' });
			expect(await test('JuHe', { mode: 'gateway', baseUrl: juhe.url, guid: GUID, appKey: juhe.appKey, appSecret: juhe.appSecret })).toMatchObject({ status: 'OK' });
			expect(await test('WxPusher app', { baseUrl: wxpusher.url, authType: 'appToken', appToken: DEFAULT_APP_TOKEN })).toMatchObject({ status: 'OK' });
			expect(await test('Gateway', { baseUrl: gateway.url, code: DEFAULT_GATEWAY_CODE, apiKey: '' })).toMatchObject({ status: 'OK' });
			// A wrong Code fails the test without sending: the gateway's Code check answers 404.
			const gatewaySends = gateway.delivered.length;
			expect(await test('Gateway', { baseUrl: gateway.url, code: 'not-a-real-code', apiKey: '' })).toMatchObject({ status: 'Error' });
			expect(gateway.requests.some((r) => r.method === 'GET' && r.path === '/api/notify/not-a-real-code/check')).toBe(true);
			expect(gateway.delivered.length).toBe(gatewaySends);
			// The WeCom callback credential: the Test button checks the key format (no + or /).
			const callbackOk = await test('WeCom callback', { ...CALLBACK });
			expect(callbackOk).toMatchObject({ status: 'OK' });
			const callbackBad = await test('WeCom callback', { ...CALLBACK, encodingAesKey: `${CALLBACK.encodingAesKey.slice(0, 41)}+/` });
			expect(callbackBad).toMatchObject({ status: 'Error', message: expect.stringContaining('EncodingAESKey') });
			expect(wecom.delivered.length + robot.delivered.length).toBe(sendsBefore);
		});

		it('the WeCom user picker loads through n8n (loadOptions)', async () => {
			const [type, ref] = Object.entries(creds['WeCom app'])[0];
			const options = await n8n.loadOptions({
				path: 'parameters.toUsers',
				nodeTypeAndVersion: { name: 'n8n-nodes-wxnotify.weCom', version: 1 },
				methodName: 'getUsers',
				currentNodeParameters: { resource: 'message', operation: 'send', messageType: 'text' },
				credentials: { [type]: ref },
			});
			expect(Array.isArray(options)).toBe(true);
			expect((options as unknown[]).length).toBeGreaterThan(0);
		});

		it('a lookup that cannot load tells the editor why in plain text (not "[object Object]")', async () => {
			const [type, ref] = Object.entries(creds['WeCom app (wrong secret)'])[0];
			await n8n.login();
			const common = { nodeTypeAndVersion: { name: 'n8n-nodes-wxnotify.weCom', version: 2 }, currentNodeParameters: { resource: 'message', operation: 'send', messageType: 'text' }, credentials: { [type]: ref } };
			const options = await n8n.request('POST', '/rest/dynamic-node-parameters/options', { ...common, path: 'parameters.toUsers', methodName: 'getUsers' });
			const search = await n8n.request('POST', '/rest/dynamic-node-parameters/resource-locator-results', { ...common, path: 'parameters.userPicks.user[0].id', methodName: 'searchUsers' });
			for (const res of [options, search]) {
				console.log(`[wxnotify host] failed lookup answer: ${res.status} ${JSON.stringify(res.body)}`);
				expect(res.status).toBeGreaterThanOrEqual(400);
				expect(typeof res.body.message).toBe('string');
				expect(res.body.message).toMatch(/40001|secret/i);
				expect(JSON.stringify(res.body)).not.toContain('[object Object]');
				// The editor prints "<httpCode> - <message>": WeCom's errors come with HTTP 200, which says nothing.
				expect(res.body.httpCode).not.toBe('200');
				expect(JSON.stringify(res.body)).not.toContain('wrong-secret');
			}
		});

		it('the WeCom user and department resource locators search through n8n (listSearch, with filter)', async () => {
			const [type, ref] = Object.entries(creds['WeCom app'])[0];
			const search = (methodName: string, path: string, filter?: string) =>
				resourceLocatorResults(n8n, {
					path,
					nodeTypeAndVersion: { name: 'n8n-nodes-wxnotify.weCom', version: 1 },
					methodName,
					filter,
					currentNodeParameters: { resource: 'message', operation: 'send', messageType: 'text' },
					credentials: { [type]: ref },
				});
			const users = await search('searchUsers', 'parameters.userPicks.user[0].id');
			expect(users.results.map((r) => r.value).sort()).toEqual(['lisi', 'wangwu', 'zhangsan']);
			expect((await search('searchUsers', 'parameters.userPicks.user[0].id', '李')).results).toEqual([{ name: '李四 (lisi)', value: 'lisi' }]);
			expect((await search('searchUsers', 'parameters.userPicks.user[0].id', 'zhang')).results.map((r) => r.value)).toEqual(['zhangsan']);
			const departments = await search('searchDepartments', 'parameters.departmentPicks.department[0].id');
			expect(departments.results.map((r) => r.value).sort()).toEqual(['1', '2', '3']);
			expect((await search('searchDepartments', 'parameters.departmentPicks.department[0].id', 'ops')).results).toEqual([{ name: 'Ops (3)', value: '3' }]);
		});

		it('WeCom Trigger: URL verification answers the bare plaintext; a signed message runs the workflow; forged gets 403', async () => {
			const wecomSide = new WeComCallback({ token: CALLBACK.token, encodingAESKey: CALLBACK.encodingAesKey, receiveId: CALLBACK.corpId });
			const ts = String(Math.floor(Date.now() / 1000));
			const echostr = wecomSide.encrypt('echo-1616140317555161061');
			const url = new URL(n8n.webhookUrl(HOOK.wecom, 'wecom'));
			url.search = new URLSearchParams({ msg_signature: wecomSide.sign(ts, '42', echostr), timestamp: ts, nonce: '42', echostr }).toString();
			const verify = await fetch(url);
			expect(verify.status).toBe(200);
			expect(await verify.text()).toBe('echo-1616140317555161061');

			const xml = `<xml><ToUserName><![CDATA[${CALLBACK.corpId}]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName><CreateTime>${ts}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi from wecom]]></Content><MsgId>7000000000000000001</MsgId><AgentID>1000002</AgentID></xml>`;
			const encrypt = wecomSide.encrypt(xml);
			const post = new URL(n8n.webhookUrl(HOOK.wecom, 'wecom'));
			post.search = new URLSearchParams({ msg_signature: wecomSide.sign(ts, '43', encrypt), timestamp: ts, nonce: '43' }).toString();
			const body = `<xml><ToUserName><![CDATA[${CALLBACK.corpId}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>`;
			const before = robot.delivered.length;
			const res = await fetch(post, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
			expect(res.status).toBe(200);
			expect(await res.text()).toBe('');
			await until('the robot echo', () => robot.delivered.length > before);
			expect(robot.delivered[robot.delivered.length - 1].payload).toMatchObject({ content: 'wecom said: hi from wecom' });

			const forged = new URL(post);
			forged.searchParams.set('msg_signature', '0'.repeat(40));
			const count = robot.delivered.length;
			const refused = await fetch(forged, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
			expect(refused.status).toBe(403);
			await new Promise((r) => setTimeout(r, 500));
			expect(robot.delivered.length).toBe(count);
		});

		it('Webhook → WeCom Robot with Input "Alert payload": an Alertmanager POST becomes the default markdown alert', async () => {
			const before = robot.delivered.length;
			const body = fs.readFileSync(path.join(__dirname, '../fixtures/alerts/alertmanager-v4.json'), 'utf8');
			const res = await fetch(n8n.webhookUrl('wx-alerts'), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
			expect(res.status).toBe(200);
			await until('the alert message', () => robot.delivered.length > before);
			const sent = robot.delivered[robot.delivered.length - 1];
			expect(sent.msgtype).toBe('markdown');
			expect(String((sent.payload as { content: string }).content)).toMatch(/DiskFull[\s\S]*db1:9100/);
			await new Promise((r) => setTimeout(r, 500));
			expect(robot.delivered.length).toBe(before + 1);
		});

				it('WxPusher Trigger: secret checked, reply is exactly "success", the follower is welcomed', async () => {
			const url = n8n.webhookUrl(HOOK.wxpusher, 'wxpusher');
			const wrong = await fetch(`${url}?secret=nope`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(wxPusherCallbacks.subscribe()) });
			expect(wrong.status).toBe(403);
			const before = wxpusher.sends.length;
			const ok = await fetch(`${url}?secret=${WXP_SECRET}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(wxPusherCallbacks.subscribe({ uid: 'UID_bob', extra: 'host-42' })) });
			expect(ok.status).toBe(200);
			expect(await ok.text()).toBe('success');
			await until('the welcome push', () => wxpusher.sends.length > before);
			expect(wxpusher.sends[wxpusher.sends.length - 1].body).toMatchObject({ content: 'welcome host-42', uids: ['UID_bob'] });
		});

		it('WxPusher Trigger with Secret In "URL Path": n8n routes the :secret path parameter; a wrong one gets 403, query/header are not enough', async () => {
			const json = { 'content-type': 'application/json' };
			const wrong = await fetch(n8n.webhookUrl(HOOK.wxpusherPath, 'wxpusher/nope'), { method: 'POST', headers: json, body: JSON.stringify(wxPusherCallbacks.subscribe()) });
			expect(wrong.status).toBe(403);
			const viaQuery = await fetch(`${n8n.webhookUrl(HOOK.wxpusherPath, 'wxpusher/nope')}?secret=${WXP_SECRET}`, {
				method: 'POST',
				headers: { ...json, 'x-callback-secret': WXP_SECRET },
				body: JSON.stringify(wxPusherCallbacks.subscribe()),
			});
			expect(viaQuery.status).toBe(403);
			// Without the path segment the URL is not this trigger's at all.
			const noSegment = await fetch(`${n8n.webhookUrl(HOOK.wxpusherPath, 'wxpusher')}?secret=${WXP_SECRET}`, { method: 'POST', headers: json, body: JSON.stringify(wxPusherCallbacks.subscribe()) });
			expect(noSegment.status).toBe(404);
			const before = wxpusher.sends.length;
			const ok = await fetch(n8n.webhookUrl(HOOK.wxpusherPath, `wxpusher/${WXP_SECRET}`), {
				method: 'POST',
				headers: json,
				body: JSON.stringify(wxPusherCallbacks.subscribe({ uid: 'UID_carol', extra: 'path-7' })),
			});
			expect(ok.status).toBe(200);
			expect(await ok.text()).toBe('success');
			await until('the path welcome push', () => wxpusher.sends.length > before);
			expect(wxpusher.sends[wxpusher.sends.length - 1].body).toMatchObject({ content: 'path welcome path-7', uids: ['UID_carol'] });
		});

		it('Gewechat Trigger: registered its production URL on activation; a message runs the reply, a redelivery does not', async () => {
			expect(gewe.callbackUrl).toBe(n8n.webhookUrl(HOOK.gewechat, 'gewechat'));
			const before = gewe.sent.length;
			const raw = await gewe.emitMessage({ from: 'wxid_friend_a', content: 'ping', newMsgId: 9223372036854770001n });
			await until('the gewechat reply', () => gewe.sent.length > before);
			expect(gewe.sent[gewe.sent.length - 1].body).toMatchObject({ toWxid: 'wxid_friend_a', content: 'pong 9223372036854770001' });
			await gewe.post(raw);
			await new Promise((r) => setTimeout(r, 1000));
			expect(gewe.sent.length).toBe(before + 1);
		});

		it('JuHe WeCom Trigger: registered its notify URL; an inbound message is answered in its conversation', async () => {
			expect(juhe.clients.get(GUID)?.notifyUrl).toBe(n8n.webhookUrl(HOOK.juhe, 'juhe'));
			const before = juhe.sent.length;
			await juhe.emitInbound(GUID, { sender: '1688857160788209', content: 'hello hook', notifyType: 11013 });
			await until('the JuHe reply', () => juhe.sent.length > before);
			expect(juhe.sent[juhe.sent.length - 1]).toMatchObject({ conversationId: 'S:1688857160788209', content: 're: hello hook' });
		});
	});
});
