/**
 * WeCom "Send and Wait for Response" in a real n8n 2.41.1: an execution waits; an encrypted
 * template_card_event from the fake WeCom reaches the WeCom Trigger, which resumes it with the
 * member's userid, and the card is updated for everyone. Links resume through n8n's signed URL;
 * Free Text / Custom Form links open the node's form page there and the posted form resumes it.
 */
import * as fs from 'fs';
import { startFakeRobot, startFakeWeCom, type FakeRobot, type FakeWeCom } from '../fakes/wecom';
import { createInstance, N8nInstance } from './harness';
import { buildAndPackWxnotify, builtin, connect, wx, type CredentialRef } from './wxnotify-fixtures';

const CALLBACK = { token: 'swToken42', encodingAesKey: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR', corpId: 'wwfakecorp00000001' };
const HOOK = { trigger: '22222222-2222-4333-8444-000000000001', askCard: '22222222-2222-4333-8444-000000000002', askLink: '22222222-2222-4333-8444-000000000003', askText: '22222222-2222-4333-8444-000000000004', askForm: '22222222-2222-4333-8444-000000000005', askRobot: '22222222-2222-4333-8444-000000000006' };
const BROWSER = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile wxwork/4.1.20';

async function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
	const end = Date.now() + timeoutMs;
	for (;;) {
		const value = check();
		if (value) return value;
		if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

/** The signed form URL of the text card sent with this title. */
function formCardUrl(wecom: FakeWeCom, title: string): string | undefined {
	const card = wecom.delivered.find((d) => d.msgtype === 'textcard' && (d.payload as { title?: string }).title === title);
	return card ? String((card.payload as { url: string }).url) : undefined;
}

/** The text a "Report" node sent: the resumed node's output as JSON. */
function reports(wecom: FakeWeCom): Array<Record<string, unknown>> {
	return wecom.delivered
		.filter((d) => d.msgtype === 'text' && String((d.payload as { content?: string }).content).startsWith('answer:'))
		.map((d) => JSON.parse(String((d.payload as { content: string }).content).slice('answer:'.length)) as Record<string, unknown>);
}

describe('WeCom Send and Wait for Response in a real n8n', () => {
	let n8n: N8nInstance;
	let packDir: string;
	let wecom: FakeWeCom;
	let robot: FakeRobot;
	const creds: Record<string, CredentialRef> = {};

	beforeAll(async () => {
		const pack = buildAndPackWxnotify();
		packDir = pack.dir;
		wecom = await startFakeWeCom();
		robot = await startFakeRobot();
		n8n = await createInstance({ packageTarball: pack.tarball });
		const imported = await n8n.importCredentials([
			{ name: 'WeCom app', type: 'weComAppApi', data: { baseUrl: wecom.url, corpId: wecom.corpId, secret: wecom.corpSecret, agentId: wecom.agentId } },
			{ name: 'WeCom callback', type: 'weComCallbackApi', data: { baseUrl: wecom.url, ...CALLBACK } },
			{ name: 'WeCom robot', type: 'weComRobotApi', data: { baseUrl: robot.url, key: robot.key } },
		]);
		for (const c of imported) creds[c.name] = { [c.type]: { id: c.id, name: c.name } };
		const app = creds['WeCom app'];
		const report = (name: string) => wx(name, 'weCom', { resource: 'message', operation: 'send', messageType: 'text', content: '={{ "answer:" + JSON.stringify($json) }}', toUsers: ['zhangsan'], options: { duplicateCheck: 0 } }, app);
		const ask = (name: string, resumeWith: string) =>
			wx(
				name,
				'weCom',
				{
					resource: 'message',
					operation: 'sendAndWait',
					toUsers: ['zhangsan', 'lisi'],
					subject: '发布审批',
					message: 'v1.4.2 → prod?',
					responseType: 'approval',
					approvalOptions: { values: { approvalType: 'double', approveLabel: '批准', disapproveLabel: '拒绝' } },
					resumeWith,
					options: { limitWaitTime: { values: { limitType: 'afterTimeInterval', resumeAmount: 30, resumeUnit: 'minutes' } } },
				},
				app,
			);
		const start = (name: string, hook: string) => ({ ...builtin(name, 'webhook', 2, { httpMethod: 'POST', path: hook, responseMode: 'onReceived', options: {} }), webhookId: hook });
		const askForm = (name: string, subject: string, parameters: Record<string, unknown>) =>
			wx(name, 'weCom', { resource: 'message', operation: 'sendAndWait', toUsers: ['zhangsan'], subject, message: '上线后还有什么问题？\n请写下来。', resumeWith: 'links', ...parameters }, app);
		const workflows = [
			{
				name: 'robot asks free text',
				nodes: [
					start('Start robot', HOOK.askRobot),
					wx('Ask robot', 'weComRobot', { resource: 'message', operation: 'sendAndWait', subject: '值班交接', message: '还有未处理的告警吗？', responseType: 'freeText' }, creds['WeCom robot']),
					report('Report robot'),
				],
				connections: connect([
					['Start robot', 'Ask robot'],
					['Ask robot', 'Report robot'],
				]),
			},
			{
				name: 'ask free text',
				nodes: [start('Start text', HOOK.askText), askForm('Ask text', '发布反馈', { responseType: 'freeText', options: { messageButtonLabel: '填写', responseFormButtonLabel: '发送' } }), report('Report text')],
				connections: connect([
					['Start text', 'Ask text'],
					['Ask text', 'Report text'],
				]),
			},
			{
				name: 'ask custom form',
				nodes: [
					start('Start form', HOOK.askForm),
					askForm('Ask form', '故障复盘', {
						responseType: 'customForm',
						defineForm: 'json',
						jsonOutput: JSON.stringify([
							{ fieldLabel: '处理结果', fieldType: 'dropdown', fieldOptions: { values: [{ option: '已修复' }, { option: '误报' }] }, requiredField: true },
							{ fieldLabel: '耗时（分钟）', fieldName: 'minutes', fieldType: 'number' },
							{ fieldLabel: '影响范围', fieldType: 'checkbox', fieldOptions: { values: [{ option: 'web' }, { option: 'api' }] } },
						]),
					}),
					report('Report form'),
				],
				connections: connect([
					['Start form', 'Ask form'],
					['Ask form', 'Report form'],
				]),
			},
			{
				name: 'wecom callbacks',
				nodes: [wx('WeCom Trigger', 'weComTrigger', { msgTypes: ['text'], maxSkewSeconds: 300, resumeSendAndWait: true }, creds['WeCom callback'], { webhookId: HOOK.trigger })],
				connections: {},
			},
			{
				name: 'ask with card buttons',
				nodes: [
					{ ...builtin('Start card', 'webhook', 2, { httpMethod: 'POST', path: HOOK.askCard, responseMode: 'onReceived', options: {} }), webhookId: HOOK.askCard },
					{ ...ask('Ask card', 'cardButtons'), id: '33333333-2222-4333-8444-000000000009' },
					report('Report card'),
				],
				connections: connect([
					['Start card', 'Ask card'],
					['Ask card', 'Report card'],
				]),
			},
			{
				name: 'ask with links',
				nodes: [
					{ ...builtin('Start link', 'webhook', 2, { httpMethod: 'POST', path: HOOK.askLink, responseMode: 'onReceived', options: {} }), webhookId: HOOK.askLink },
					ask('Ask link', 'links'),
					report('Report link'),
				],
				connections: connect([
					['Start link', 'Ask link'],
					['Ask link', 'Report link'],
				]),
			},
		];
		for (const wf of workflows) await n8n.publish(await n8n.importWorkflow(wf));
		await n8n.start();
		for (const hook of [n8n.webhookUrl(HOOK.trigger, 'wecom'), n8n.webhookUrl(HOOK.askCard), n8n.webhookUrl(HOOK.askLink), n8n.webhookUrl(HOOK.askText), n8n.webhookUrl(HOOK.askForm), n8n.webhookUrl(HOOK.askRobot)]) {
			await n8n.waitForWebhook(hook, { method: 'POST' });
		}
		wecom.cards.callback = { url: n8n.webhookUrl(HOOK.trigger, 'wecom'), token: CALLBACK.token, encodingAESKey: CALLBACK.encodingAesKey };
	}, 600_000);

	afterAll(async () => {
		await n8n?.dispose();
		await wecom?.close();
		await robot?.close();
		if (packDir) fs.rmSync(packDir, { recursive: true, force: true });
	});

	it('card buttons: waits, a member clicks, the execution resumes with their userid and the card shows who answered', async () => {
		expect((await fetch(n8n.webhookUrl(HOOK.askCard), { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(200);
		const task = await until('the card', () => [...wecom.cards.tasks.values()][0]);
		expect(task.card).toMatchObject({ card_type: 'button_interaction', main_title: { title: '发布审批' }, sub_title_text: 'v1.4.2 → prod?', button_list: [{ text: '批准', key: 'approve' }, { text: '拒绝', key: 'decline' }] });
		expect(task.touser).toEqual(['zhangsan', 'lisi']);
		await new Promise((r) => setTimeout(r, 500));
		expect(reports(wecom)).toHaveLength(0); // still waiting

		const click = await wecom.cards.click({ userId: 'lisi', taskId: task.taskId, eventKey: 'decline' });
		expect(click.status).toBe(200);
		const [answer] = await until('the resumed execution', () => reports(wecom).length > 0 && reports(wecom));
		expect(answer).toMatchObject({ approved: false, answer: '拒绝', user: 'lisi', via: 'card', cardUpdated: true });
		expect(wecom.cards.updates).toEqual([expect.objectContaining({ taskId: task.taskId, atall: true, responseCode: click.responseCode })]);
		expect(wecom.cards.replacedFor(task.taskId, 'zhangsan')).toMatch(/^已由 lisi 选择 拒绝 · \d\d:\d\d$/);

		// A second member's click (and a redelivery of the first) resume nothing and update nothing.
		await click.redeliver();
		await wecom.cards.click({ userId: 'zhangsan', taskId: task.taskId, eventKey: 'approve' });
		await new Promise((r) => setTimeout(r, 1500));
		expect(reports(wecom)).toHaveLength(1);
		expect(wecom.cards.updates).toHaveLength(1);
	});

	it('links: the signed resume URL answers (without a user); a tampered one is refused with 401', async () => {
		expect((await fetch(n8n.webhookUrl(HOOK.askLink), { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(200);
		const text = await until('the question', () => wecom.delivered.find((d) => d.msgtype === 'text' && String((d.payload as { content?: string }).content).includes('href=')));
		const content = String((text.payload as { content: string }).content);
		const links = [...content.matchAll(/<a href="([^"]+)">([^<]+)<\/a>/g)].map((m) => ({ url: m[1], label: m[2] }));
		expect(links.map((l) => l.label)).toEqual(['批准', '拒绝']);
		const approve = new URL(links[0].url);
		expect(approve.searchParams.get('approved')).toBe('true');
		expect(approve.searchParams.get('signature')).toMatch(/^[0-9a-f]{64}$/);

		const tampered = new URL(approve);
		tampered.searchParams.set('approved', 'false');
		expect((await fetch(tampered, { headers: { 'user-agent': BROWSER } })).status).toBe(401);
		// Link previews do not answer.
		expect((await fetch(approve, { headers: { 'user-agent': 'Slackbot-LinkExpanding 1.0' } })).status).toBe(200);
		await new Promise((r) => setTimeout(r, 500));
		expect(reports(wecom).filter((r) => r.via === 'link')).toHaveLength(0);

		const page = await fetch(approve, { headers: { 'user-agent': BROWSER } });
		expect(page.status).toBe(200);
		expect(await page.text()).toContain('已记录');
		const answer = await until('the resumed execution', () => reports(wecom).find((r) => r.via === 'link'));
		expect(answer).toMatchObject({ approved: true, answer: '批准', user: null, via: 'link' });
	});

	it('free text: the signed link opens the form page, the posted text resumes the execution; unsigned or changed links are refused', async () => {
		expect((await fetch(n8n.webhookUrl(HOOK.askText), { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(200);
		const url = new URL(await until('the text card', () => formCardUrl(wecom, '发布反馈')));
		const card = wecom.delivered.find((d) => d.msgtype === 'textcard')!;
		expect(card.payload).toMatchObject({ description: '上线后还有什么问题？\n请写下来。', btntxt: '填写' });
		expect(url.searchParams.get('signature')).toMatch(/^[0-9a-f]{64}$/);

		const unsigned = new URL(url);
		unsigned.searchParams.delete('signature');
		const changed = new URL(url);
		changed.searchParams.set('approved', 'false');
		for (const refused of [unsigned, changed]) {
			expect((await fetch(refused, { headers: { 'user-agent': BROWSER } })).status).toBe(401);
			const post = new FormData();
			post.set('field-0', 'forged');
			expect((await fetch(refused, { method: 'POST', body: post, headers: { 'user-agent': BROWSER } })).status).toBe(401);
		}

		const form = await fetch(url, { headers: { 'user-agent': BROWSER } });
		expect(form.status).toBe(200);
		expect(form.headers.get('content-type')).toBe('text/html; charset=utf-8');
		const html = await form.text();
		expect(html).toContain('<h1>发布反馈</h1>');
		expect(html).toContain('<textarea id="field-0" name="field-0" required>');
		expect(html).toContain('<button type="submit">发送</button>');
		await new Promise((r) => setTimeout(r, 500));
		expect(reports(wecom).filter((r) => r.data)).toHaveLength(0); // opening the form answers nothing

		const empty = new FormData();
		empty.set('field-0', '   ');
		const again = await fetch(url, { method: 'POST', body: empty, headers: { 'user-agent': BROWSER } });
		expect(again.status).toBe(400);
		expect(await again.text()).toContain('请填写此项');

		const body = new FormData();
		body.set('field-0', '回滚到 v1.4.1，<b>原因</b>见工单');
		const done = await fetch(url, { method: 'POST', body, headers: { 'user-agent': BROWSER } });
		expect(done.status).toBe(200);
		expect(await done.text()).toContain('已提交，谢谢');
		const answer = await until('the resumed execution', () => reports(wecom).find((r) => r.data));
		expect(answer).toEqual({ data: { text: '回滚到 v1.4.1，<b>原因</b>见工单', respondedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) } });

		// Answered: the link now resumes nothing.
		const late = new FormData();
		late.set('field-0', 'late');
		await fetch(url, { method: 'POST', body: late, headers: { 'user-agent': BROWSER } });
		await new Promise((r) => setTimeout(r, 1000));
		expect(reports(wecom).filter((r) => r.data)).toHaveLength(1);
	});

	it('custom form: the form page shows the fields, the posted fields resume the execution as { data: { … } }', async () => {
		const before = reports(wecom).length;
		expect((await fetch(n8n.webhookUrl(HOOK.askForm), { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(200);
		const url = await until('the text card', () => formCardUrl(wecom, '故障复盘'));
		const html = await (await fetch(url, { headers: { 'user-agent': BROWSER } })).text();
		expect(html).toContain('<option value="误报">误报</option>');
		expect(html).toContain('<input type="checkbox" name="field-2" value="api">');

		const body = new FormData();
		body.set('field-0', '误报');
		body.set('field-1', '25');
		body.append('field-2', 'web');
		body.append('field-2', 'api');
		const done = await fetch(url, { method: 'POST', body, headers: { 'user-agent': BROWSER } });
		expect(done.status).toBe(200);
		const answer = await until('the resumed execution', () => reports(wecom).length > before && reports(wecom)[before]);
		expect(answer).toEqual({ data: { 处理结果: '误报', minutes: 25, 影响范围: ['web', 'api'], respondedAt: expect.any(String) } });
	});

	it('robot: the markdown link opens the form page on the signed URL and the posted text resumes the execution', async () => {
		const before = reports(wecom).length;
		expect((await fetch(n8n.webhookUrl(HOOK.askRobot), { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(200);
		const posted = await until('the robot message', () => robot.delivered.find((d) => d.msgtype === 'markdown'));
		const content = String((posted.payload as { content: string }).content);
		expect(content).toMatch(/^\*\*值班交接\*\*\n还有未处理的告警吗？\n\n\[去回复\]\(http/);
		const url = /\[去回复\]\(([^)]+)\)/.exec(content)![1];
		const unsigned = new URL(url);
		unsigned.searchParams.delete('signature');
		expect((await fetch(unsigned, { headers: { 'user-agent': BROWSER } })).status).toBe(401);
		expect(await (await fetch(url, { headers: { 'user-agent': BROWSER } })).text()).toContain('<h1>值班交接</h1>');
		const body = new FormData();
		body.set('field-0', '没有了');
		expect((await fetch(url, { method: 'POST', body, headers: { 'user-agent': BROWSER } })).status).toBe(200);
		const answer = await until('the resumed execution', () => reports(wecom).length > before && reports(wecom)[before]);
		expect(answer).toEqual({ data: { text: '没有了', respondedAt: expect.any(String) } });
	});
});
