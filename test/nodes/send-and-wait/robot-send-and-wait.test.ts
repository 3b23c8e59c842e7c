/**
 * WeCom Robot "Send and Wait for Response": robots cannot receive callbacks, so the question goes
 * out as markdown with links to the signed resume URL (answer links, or the form page), through the
 * same shared code as the WeCom app node.
 */
import { WeComRobot } from '../../../nodes/WeComRobot/WeComRobot.node';
import { startFakeRobot, type FakeRobot } from '../../fakes/wecom';
import { executeNode, WebhookHarness } from '../support/node-harness';

describe('WeCom Robot node: Send and Wait for Response (in-process, strict fake robot)', () => {
	let robot: FakeRobot;
	let hook: WebhookHarness | undefined;
	const node = new WeComRobot();
	const ask = (parameters: Record<string, unknown>) => ({
		credentials: { weComRobotApi: { baseUrl: robot.url, key: robot.key } },
		parameters: { resource: 'message', operation: 'sendAndWait', subject: '发布审批', message: 'v1.4.2 → prod?', ...parameters },
	});
	const links = () => [...String((robot.delivered[0].payload as { content: string }).content).matchAll(/\[([^\]]+)\]\(([^)]+)\)/g)].map((m) => ({ label: m[1], url: new URL(m[2]) }));

	beforeEach(async () => {
		robot = await startFakeRobot();
	});
	afterEach(async () => {
		await hook?.close();
		hook = undefined;
		await robot.close();
	});

	it('approval: markdown with one signed link per answer; opening one answers, without a user', async () => {
		const out = await executeNode(node, ask({ approvalOptions: { values: { approvalType: 'double', approveLabel: '批准', disapproveLabel: '拒[绝]' } } }));
		expect(out).toEqual([{ json: {} }]);
		expect(robot.delivered).toHaveLength(1);
		expect(robot.delivered[0].msgtype).toBe('markdown');
		expect(String((robot.delivered[0].payload as { content: string }).content)).toMatch(/^\*\*发布审批\*\*\nv1\.4\.2 → prod\?\n\n\[批准\]\(/);
		const [approve, decline] = links();
		expect([approve.label, decline.label]).toEqual(['批准', '拒绝']);
		expect(approve.url.pathname).toBe('/webhook-waiting/test-execution/node-under-test');
		expect(approve.url.searchParams.get('approved')).toBe('true');
		expect(decline.url.searchParams.get('approved')).toBe('false');
		expect(decline.url.searchParams.get('signature')).toMatch(/^[0-9a-f]{64}$/);

		hook = await new WebhookHarness(node, ask({ approvalOptions: { values: { approvalType: 'double', approveLabel: '批准', disapproveLabel: '拒绝' } } })).start();
		const preview = await hook.request('GET', { approved: 'false' }, undefined, { 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1)' });
		expect(preview.returned).toEqual({ noWebhookResponse: true });
		const page = await hook.request('GET', { approved: 'false' }, undefined, { 'user-agent': 'Mozilla/5.0 (iPhone) wxwork/4.1' });
		expect(page.body).toContain('已记录你的回复');
		expect(page.returned?.workflowData?.[0][0].json).toMatchObject({ approved: false, answer: '拒绝', user: null, via: 'link' });
		expect((await hook.request('POST', { approved: 'true' }, '{}', { 'content-type': 'application/json' })).status).toBe(400);
	});

	it('free text: one link (the Message Button Label) to the form page; the posted text resumes with { data: { text } }', async () => {
		await executeNode(node, ask({ responseType: 'freeText', options: { messageButtonLabel: '写下原因' } }));
		const [form] = links();
		expect(form.label).toBe('写下原因');
		expect(form.url.searchParams.get('signature')).toMatch(/^[0-9a-f]{64}$/);

		hook = await new WebhookHarness(node, ask({ responseType: 'freeText' })).start();
		const page = await hook.request('GET', { approved: 'true' });
		expect(page.body).toContain('<h1>发布审批</h1>');
		const done = await hook.request('POST', { approved: 'true' }, JSON.stringify({ data: { 'field-0': '先灰度 10%' } }), { 'content-type': 'application/json' });
		expect(done.returned?.workflowData?.[0][0].json).toEqual({ data: { text: '先灰度 10%', respondedAt: expect.any(String) } });
	});

	it('custom form: a form that cannot be shown fails before anything is posted to the group', async () => {
		await expect(executeNode(node, ask({ responseType: 'customForm', defineForm: 'json', jsonOutput: '[{"fieldLabel":"A","fieldType":"dropdown"}]' }))).rejects.toThrow(
			'Form field 1 ("A"): add at least one option',
		);
		expect(robot.delivered).toHaveLength(0);
	});
});
