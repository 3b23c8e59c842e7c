/**
 * Send and Wait "Free Text" / "Custom Form": the field definitions, the form page, the parsing of
 * a submission, and the WeCom node's execute()/webhook() in n8n-core's real contexts against the
 * strict fake WeCom.
 */
import type { INode } from 'n8n-workflow';
import { WeCom } from '../../../nodes/WeCom/WeCom.node';
import { normalizeFormFields, parseJsonFormFields, FREE_TEXT_FIELDS } from '../../../nodes/shared/send-and-wait/form-fields';
import { renderFormPage } from '../../../nodes/shared/send-and-wait/form-page';
import { readSubmission } from '../../../nodes/shared/send-and-wait/form-submission';
import { startFakeWeCom, type FakeWeCom } from '../../fakes/wecom';
import { executeNode, WebhookHarness } from '../support/node-harness';

const node = { id: 'n1', name: 'Ask', type: 'x', typeVersion: 2, position: [0, 0], parameters: {} } as INode;
const XSS = '<script>alert(1)</script>"\'&';

const incidentForm = () =>
	normalizeFormFields(node, [
		{ fieldLabel: '处理结果', fieldType: 'dropdown', fieldOptions: { values: [{ option: '已修复' }, { option: '误报' }] }, requiredField: true },
		{ fieldLabel: '耗时（分钟）', fieldName: 'minutes', fieldType: 'number' },
		{ fieldLabel: '影响范围', fieldType: 'checkbox', fieldOptions: { values: [{ option: 'web' }, { option: 'api' }, { option: 'db' }] }, limitSelection: 'range', minSelections: 1, maxSelections: 2 },
		{ fieldLabel: '级别', fieldType: 'radio', fieldOptions: { values: [{ option: 'P1' }, { option: 'P2' }] } },
		{ fieldLabel: '联系人邮箱', fieldType: 'email' },
		{ fieldLabel: '说明', fieldType: 'textarea' },
		{ fieldLabel: '', fieldName: 'source', fieldType: 'hiddenField', fieldValue: 'n8n' },
	]);

describe('form field definitions', () => {
	it('keys outputs by the field name, else the label; numbers the request fields like n8n (field-<index>)', () => {
		const fields = incidentForm();
		expect(fields.map((f) => [f.id, f.key, f.type])).toEqual([
			['field-0', '处理结果', 'dropdown'],
			['field-1', 'minutes', 'number'],
			['field-2', '影响范围', 'checkbox'],
			['field-3', '级别', 'radio'],
			['field-4', '联系人邮箱', 'email'],
			['field-5', '说明', 'textarea'],
			['field-6', 'source', 'hiddenField'],
		]);
		expect(fields[0]).toMatchObject({ required: true, options: ['已修复', '误报'] });
		expect(fields[2]).toMatchObject({ minSelections: 1, maxSelections: 2 });
		expect(fields[6].hiddenValue).toBe('n8n');
	});

	it('reads the same objects from JSON (text or an expression array, option shorthand allowed)', () => {
		const fromText = parseJsonFormFields(node, '[{"fieldLabel":"原因","requiredField":true},{"fieldLabel":"级别","fieldType":"radio","fieldOptions":[{"option":"P1"}]}]');
		expect(fromText.map((f) => [f.key, f.type, f.required, f.options])).toEqual([
			['原因', 'text', true, []],
			['级别', 'radio', false, ['P1']],
		]);
		expect(parseJsonFormFields(node, [{ fieldLabel: 'A' }])[0].key).toBe('A');
	});

	it.each([
		['not JSON', '[{', /Form Fields is not valid JSON/],
		['not an array', '{"fieldLabel":"A"}', /must be a JSON array/],
		['empty', '[]', /at least one form field/],
		['file fields', '[{"fieldLabel":"附件","fieldType":"file"}]', /Form field 1 \("附件"\): the field type "file" is not offered/],
		['custom HTML', '[{"fieldLabel":"A"},{"fieldLabel":"B","fieldType":"html"}]', /Form field 2 \("B"\).*"html"/],
		['unknown types', '[{"fieldLabel":"A","fieldType":"colour"}]', /unknown field type "colour"/],
		['unknown keys', '[{"fieldLabel":"A","colour":"red"}]', /Form field 1 \("A"\): unknown key "colour"/],
		['a missing label', '[{"fieldType":"text"}]', /Form field 1: give it a Label/],
		['a hidden field without a name', '[{"fieldType":"hiddenField","fieldValue":"x"}]', /needs a Field Name/],
		['options missing', '[{"fieldLabel":"A","fieldType":"dropdown"}]', /add at least one option/],
		['a blank option', '[{"fieldLabel":"A","fieldType":"radio","fieldOptions":{"values":[{"option":"x"},{"option":" "}]}}]', /every option needs a label/],
		['the same output key twice', '[{"fieldLabel":"A"},{"fieldLabel":"B","fieldName":"A"}]', /Form field 2 \("B"\): another field already uses the name "A"/],
		['limits that do not fit the options', '[{"fieldLabel":"A","fieldType":"checkbox","fieldOptions":[{"option":"x"}],"limitSelection":"exact","numberOfSelections":2}]', /do not fit its 1 options/],
	])('refuses %s with a NodeOperationError naming the field', (_what, json, message) => {
		expect(() => parseJsonFormFields(node, json)).toThrow(message);
	});
});

describe('form submissions', () => {
	const fields = incidentForm();

	it('turns a multipart body (n8n: { data, files }) into typed outputs; hidden values come from the definition', () => {
		const result = readSubmission(fields, {
			data: { 'field-0': '误报', 'field-1': ' 12.5 ', 'field-2': ['web', 'db'], 'field-3': 'P2', 'field-4': ' ops@example.com ', 'field-5': '  第一行\n第二行 ', 'field-6': 'forged' },
			files: {},
		});
		expect(result).toEqual({
			ok: true,
			data: { 处理结果: '误报', minutes: 12.5, 影响范围: ['web', 'db'], 级别: 'P2', 联系人邮箱: 'ops@example.com', 说明: '  第一行\n第二行 ', source: 'n8n' },
		});
	});

	it('gives null for empty optional fields and one-element lists for a single checkbox', () => {
		const result = readSubmission(fields, { 'field-0': '已修复', 'field-2': 'api' });
		expect(result).toEqual({ ok: true, data: { 处理结果: '已修复', minutes: null, 影响范围: ['api'], 级别: null, 联系人邮箱: null, 说明: null, source: 'n8n' } });
	});

	it('refuses what the page would not allow, naming each field, and keeps what was typed', () => {
		const result = readSubmission(fields, { data: { 'field-0': '不存在', 'field-1': 'twelve', 'field-2': ['web', 'api', 'db'], 'field-3': ['P1', 'P2'], 'field-4': 'not-an-email', 'field-5': 'keep me' } });
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(Object.keys(result.errors).sort()).toEqual(['field-0', 'field-1', 'field-2', 'field-3', 'field-4']);
		expect(result.errors['field-0']).toContain('请从选项中选择');
		expect(result.errors['field-1']).toContain('请输入数字');
		expect(result.errors['field-2']).toContain('最多选择 2 项');
		expect(result.errors['field-4']).toContain('邮箱');
		expect(result.values['field-5']).toEqual(['keep me']);
	});

	it('requires the free text (whitespace only is empty) and keeps it as typed', () => {
		expect(readSubmission(FREE_TEXT_FIELDS, { data: { 'field-0': '  \n ' } })).toMatchObject({ ok: false, errors: { 'field-0': expect.stringContaining('请填写此项') } });
		expect(readSubmission(FREE_TEXT_FIELDS, { data: {} }).ok).toBe(false);
		expect(readSubmission(FREE_TEXT_FIELDS, { data: { 'field-0': '回滚到 v1.4.1' } })).toEqual({ ok: true, data: { text: '回滚到 v1.4.1' } });
	});
});

describe('form page', () => {
	it('is one self-contained page: no script, no external asset, posts multipart to its own URL', () => {
		const html = renderFormPage({ title: '故障复盘', description: '第一行\n第二行', buttonLabel: '提交', fields: incidentForm() });
		expect(html).toMatch(/^<!doctype html><html lang="zh-CN">/);
		expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
		expect(html).toContain('<form method="post" enctype="multipart/form-data" accept-charset="utf-8">');
		expect(html).not.toMatch(/<form[^>]*action=/);
		expect(html).not.toMatch(/<script|<link|<img|<iframe|src=|https?:\/\//i);
		expect(html).toContain('第一行<br>第二行');
		for (const id of ['field-0', 'field-1', 'field-2', 'field-3', 'field-4', 'field-5', 'field-6']) expect(html).toContain(`name="${id}"`);
		expect(html).toContain('<option value="">请选择</option>');
		expect(html).toContain('<input type="checkbox" name="field-2" value="web">');
		expect(html).toContain('<input type="hidden" name="field-6" value="n8n">');
		expect(html).toContain('<button type="submit">提交</button>');
	});

	it('escapes every user-provided text (title, description, labels, options, placeholders, defaults, errors, values)', () => {
		const fields = normalizeFormFields(node, [
			{ fieldLabel: XSS, fieldType: 'text', placeholder: XSS, defaultValue: XSS },
			{ fieldLabel: 'choose', fieldType: 'dropdown', fieldOptions: { values: [{ option: XSS }] } },
			{ fieldLabel: 'more', fieldType: 'checkbox', fieldOptions: { values: [{ option: `${XSS}2` }] } },
			{ fieldLabel: 'notes', fieldType: 'textarea' },
		]);
		const html = renderFormPage({ title: XSS, description: XSS, buttonLabel: XSS, fields, values: { 'field-3': [`</textarea>${XSS}`] }, errors: { 'field-0': XSS } });
		expect(html).not.toContain('<script>');
		expect(html).not.toContain('</textarea><script');
		expect(html).not.toMatch(/value="[^"]*"'/);
		expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;\'&amp;');
	});

	it('shows the errors of a refused submission next to their fields, with what was typed, but never a password', () => {
		const fields = normalizeFormFields(node, [
			{ fieldLabel: '数量', fieldType: 'number', requiredField: true },
			{ fieldLabel: '口令', fieldType: 'password' },
		]);
		const html = renderFormPage({ title: 'T', description: '', buttonLabel: 'OK', fields, values: { 'field-0': ['abc'], 'field-1': ['s3cret'] }, errors: { 'field-0': '请输入数字（a number）' } });
		expect(html).toContain('有 1 项需要修改后再提交');
		expect(html).toContain('<p class="err" id="field-0-error">请输入数字（a number）</p>');
		expect(html).toContain('value="abc"');
		expect(html).toContain('aria-invalid="true"');
		expect(html).not.toContain('s3cret');
	});
});

describe('WeCom node: Free Text and Custom Form (in-process, strict fake WeCom)', () => {
	let wecom: FakeWeCom;
	const wecomNode = new WeCom();
	const credentials = () => ({ weComAppApi: { baseUrl: wecom.url, corpId: wecom.corpId, secret: wecom.corpSecret, agentId: wecom.agentId } });
	const ask = (parameters: Record<string, unknown>) =>
		({
			typeVersion: 1,
			credentials: credentials(),
			parameters: { resource: 'message', operation: 'sendAndWait', toUsers: ['zhangsan'], subject: '发布说明', message: 'v1.4.2 上线后有什么问题？', resumeWith: 'links', ...parameters },
		}) as const;

	beforeEach(async () => {
		wecom = await startFakeWeCom();
	});
	afterEach(async () => {
		await wecom.close();
	});

	it('free text: sends a text card whose button opens the signed resume URL, then waits', async () => {
		const out = await executeNode(wecomNode, ask({ responseType: 'freeText', options: { messageButtonLabel: '填写' } }));
		expect(out).toEqual([{ json: {} }]);
		expect(wecom.delivered).toHaveLength(1);
		const card = wecom.delivered[0];
		expect(card).toMatchObject({ msgtype: 'textcard', touser: ['zhangsan'], payload: { title: '发布说明', description: 'v1.4.2 上线后有什么问题？', btntxt: '填写' } });
		const url = new URL(String(card.payload.url));
		expect(url.pathname).toBe('/webhook-waiting/test-execution/node-under-test');
		expect(url.searchParams.get('signature')).toMatch(/^[0-9a-f]{64}$/);
	});

	it('refuses the form types with card buttons, naming Resume With, before sending anything', async () => {
		await expect(executeNode(wecomNode, ask({ responseType: 'freeText', resumeWith: 'cardButtons' }))).rejects.toThrow('Response Type "Free Text" needs Resume With: Links');
		await expect(executeNode(wecomNode, ask({ responseType: 'customForm', resumeWith: 'cardButtons' }))).rejects.toThrow('Response Type "Custom Form" needs Resume With: Links');
		expect(wecom.sendCalls).toBe(0);
	});

	it('refuses a form that cannot be shown, and a button label over the text card limit, before sending', async () => {
		await expect(executeNode(wecomNode, ask({ responseType: 'customForm', defineForm: 'json', jsonOutput: '[{"fieldLabel":"附件","fieldType":"file"}]' }))).rejects.toThrow(
			'Form field 1 ("附件"): the field type "file" is not offered',
		);
		await expect(executeNode(wecomNode, ask({ responseType: 'freeText', options: { messageButtonLabel: 'Respond now' } }))).rejects.toThrow('Message Button Label is over 4 characters');
		expect(wecom.sendCalls).toBe(0);
	});

	describe('webhook: the signed resume URL (n8n checked the signature before)', () => {
		let hook: WebhookHarness;
		afterEach(async () => {
			await hook?.close();
		});
		const start = async (parameters: Record<string, unknown>) => {
			hook = await new WebhookHarness(wecomNode, ask(parameters)).start();
			return hook;
		};

		it('free text: GET shows the form (and resumes nothing); POST resumes with { data: { text, respondedAt } }', async () => {
			await start({ responseType: 'freeText', options: { responseFormTitle: `标题${XSS}`, responseFormButtonLabel: '发送' } });
			const form = await hook.request('GET', { approved: 'true' });
			expect(form.status).toBe(200);
			expect(form.headers['content-type']).toBe('text/html; charset=utf-8');
			expect(form.headers['content-security-policy']).toContain("default-src 'none'");
			expect(form.body).toContain('<h1>标题&lt;script&gt;');
			expect(form.body).toContain('v1.4.2 上线后有什么问题？');
			expect(form.body).toContain('<textarea id="field-0" name="field-0" required>');
			expect(form.body).toContain('<button type="submit">发送</button>');
			expect(form.returned).toEqual({ noWebhookResponse: true });

			const refused = await hook.request('POST', { approved: 'true' }, JSON.stringify({ data: { 'field-0': ' ' } }), { 'content-type': 'application/json' });
			expect(refused.status).toBe(400);
			expect(refused.body).toContain('请填写此项');
			expect(refused.returned?.workflowData).toBeUndefined();

			const done = await hook.request('POST', { approved: 'true' }, JSON.stringify({ data: { 'field-0': '回滚到 v1.4.1' } }), { 'content-type': 'application/json' });
			expect(done.status).toBe(200);
			expect(done.body).toContain('已提交，谢谢');
			const [[item]] = done.returned!.workflowData!;
			expect(item.json).toEqual({ data: { text: '回滚到 v1.4.1', respondedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) } });
		});

		it('custom form: POST resumes with the fields; a field named respondedAt cannot replace the server time', async () => {
			await start({
				responseType: 'customForm',
				defineForm: 'fields',
				formFields: {
					values: [
						{ fieldLabel: '结果', fieldType: 'radio', fieldOptions: { values: [{ option: '通过' }, { option: '驳回' }] }, requiredField: true },
						{ fieldLabel: '时间', fieldName: 'respondedAt', fieldType: 'text' },
					],
				},
			});
			const form = await hook.request('GET', { approved: 'true' });
			expect(form.body).toContain('<input type="radio" name="field-0" value="通过" required>');
			const done = await hook.request('POST', { approved: 'true' }, JSON.stringify({ data: { 'field-0': '驳回', 'field-1': 'yesterday' } }), { 'content-type': 'application/json' });
			const [[item]] = done.returned!.workflowData!;
			expect(item.json).toEqual({ data: { 结果: '驳回', respondedAt: expect.not.stringMatching('yesterday') } });
		});
	});
});
