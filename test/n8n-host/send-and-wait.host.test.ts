/**
 * WeCom "Send and Wait for Response" in a real n8n 2.41.1: an execution waits; an encrypted
 * template_card_event from the fake WeCom reaches the WeCom Trigger, which resumes it with the
 * member's userid, and the card is updated for everyone. Links resume through n8n's signed URL.
 */
import * as fs from 'fs';
import { startFakeWeCom, type FakeWeCom } from '../fakes/wecom';
import { createInstance, N8nInstance } from './harness';
import { buildAndPackWxnotify, builtin, connect, wx, type CredentialRef } from './wxnotify-fixtures';

const CALLBACK = { token: 'swToken42', encodingAesKey: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR', corpId: 'wwfakecorp00000001' };
const HOOK = { trigger: '22222222-2222-4333-8444-000000000001', askCard: '22222222-2222-4333-8444-000000000002', askLink: '22222222-2222-4333-8444-000000000003' };
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
	const creds: Record<string, CredentialRef> = {};

	beforeAll(async () => {
		const pack = buildAndPackWxnotify();
		packDir = pack.dir;
		wecom = await startFakeWeCom();
		n8n = await createInstance({ packageTarball: pack.tarball });
		const imported = await n8n.importCredentials([
			{ name: 'WeCom app', type: 'weComAppApi', data: { baseUrl: wecom.url, corpId: wecom.corpId, secret: wecom.corpSecret, agentId: wecom.agentId } },
			{ name: 'WeCom callback', type: 'weComCallbackApi', data: { baseUrl: wecom.url, ...CALLBACK } },
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
		const workflows = [
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
		for (const hook of [n8n.webhookUrl(HOOK.trigger, 'wecom'), n8n.webhookUrl(HOOK.askCard), n8n.webhookUrl(HOOK.askLink)]) {
			await n8n.waitForWebhook(hook, { method: 'POST' });
		}
		wecom.cards.callback = { url: n8n.webhookUrl(HOOK.trigger, 'wecom'), token: CALLBACK.token, encodingAESKey: CALLBACK.encodingAesKey };
	}, 600_000);

	afterAll(async () => {
		await n8n?.dispose();
		await wecom?.close();
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
});
