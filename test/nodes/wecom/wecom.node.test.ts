import type { INodeExecutionData } from 'n8n-workflow';
import { WeCom } from '../../../nodes/WeCom/WeCom.node';
import { startFakeWeCom, type FakeWeCom } from '../../fakes/wecom';
import { executeNode, loadOptions } from '../support/node-harness';

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(64, 7)]);
const binaryItem = (data: Buffer, fileName: string, mimeType: string): INodeExecutionData => ({
	json: {},
	binary: { data: { data: data.toString('base64'), fileName, mimeType } },
});

describe('WeCom app node (in-process, strict fake WeCom)', () => {
	let wecom: FakeWeCom;
	const node = new WeCom();
	const credentials = () => ({ weComAppApi: { baseUrl: wecom.url, corpId: wecom.corpId, secret: wecom.corpSecret, agentId: wecom.agentId } });
	const send = (parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
		executeNode(node, { typeVersion: 1, credentials: credentials(), parameters: { resource: 'message', operation: 'send', ...parameters }, ...extra });

	beforeEach(async () => {
		wecom = await startFakeWeCom();
	});
	afterEach(async () => {
		await wecom.close();
	});

	it('sends text to users, departments and tags; invalid users are partial failures; no secret in the output', async () => {
		const [out] = await send({ messageType: 'text', content: 'disk 91%', toUsers: ['zhangsan', 'invalid_bob'], toParties: ['2'], toTags: '3' });
		expect(wecom.delivered).toHaveLength(1);
		expect(wecom.delivered[0]).toMatchObject({ msgtype: 'text', touser: ['zhangsan', 'invalid_bob'], toparty: ['2'], totag: ['3'] });
		expect(out.json).toMatchObject({ channel: 'wecom-app', ok: false, messageIds: [expect.any(String)], partialFailures: [expect.objectContaining({ id: 'invalid_bob' })] });
		const text = JSON.stringify(out.json);
		expect(text).not.toContain(wecom.corpSecret);
		expect(text).not.toContain(wecom.issuedToken!);
	});

	it('sends markdown, textcard, news and template card with the right wire shapes', async () => {
		await send({ messageType: 'markdown', content: '**bold**', toUsers: ['zhangsan'] });
		await send({ messageType: 'textcard', title: 'Deploy', content: 'green', url: 'https://example.com/r/1', btntxt: 'Open', toUsers: ['zhangsan'] });
		await send({
			messageType: 'news',
			toUsers: ['zhangsan'],
			title: 'unused',
			content: 'unused',
			articles: { article: [{ title: 'A', description: 'first', url: 'https://example.com/a', picurl: 'https://example.com/a.png' }, { title: 'B', url: 'https://example.com/b' }] },
		});
		await send({
			messageType: 'template_card',
			toUsers: ['zhangsan'],
			templateCard: JSON.stringify({ card_type: 'text_notice', main_title: { title: 'Alert' }, card_action: { type: 1, url: 'https://example.com' } }),
		});
		expect(wecom.delivered.map((d) => d.msgtype)).toEqual(['markdown', 'textcard', 'news', 'template_card']);
		expect(wecom.delivered[1].payload).toMatchObject({ title: 'Deploy', url: 'https://example.com/r/1', btntxt: 'Open' });
		expect((wecom.delivered[2].payload as { articles: unknown[] }).articles).toHaveLength(2);
		expect(wecom.delivered[3].payload).toMatchObject({ card_type: 'text_notice', main_title: { title: 'Alert' } });
	});

	it('sends an image and a file from binary data (uploaded first as multipart "media")', async () => {
		await send({ messageType: 'image', toUsers: ['zhangsan'], binaryPropertyName: 'data' }, { items: [binaryItem(PNG, 'chart.png', 'image/png')] });
		await send({ messageType: 'file', toUsers: ['zhangsan'], binaryPropertyName: 'data' }, { items: [binaryItem(Buffer.from('col1,col2\n1,2\n'), 'report.csv', 'text/csv')] });
		const uploads = [...wecom.uploads.values()];
		expect(uploads.map((u) => [u.type, u.filename])).toEqual([
			['image', 'chart.png'],
			['file', 'report.csv'],
		]);
		expect(wecom.delivered.map((d) => d.msgtype)).toEqual(['image', 'file']);
	});

	it('sends voice, video and a rich article (mpnews) from binary data', async () => {
		await send({ messageType: 'voice', toUsers: ['zhangsan'], binaryPropertyName: 'data' }, { items: [binaryItem(Buffer.alloc(400, 1), 'alert.amr', 'audio/amr')] });
		await send(
			{ messageType: 'video', toUsers: ['zhangsan'], binaryPropertyName: 'data', videoTitle: 'Outage replay', videoDescription: 'db-01, 03:12' },
			{ items: [binaryItem(Buffer.alloc(2048, 2), 'replay.mp4', 'video/mp4')] },
		);
		const html = '<h3>Backup</h3><p><b>200</b> databases</p>';
		await send(
			{
				messageType: 'mpnews',
				toUsers: ['zhangsan'],
				articleTitle: 'Nightly backup',
				articleContent: html,
				coverBinaryPropertyName: 'data',
				articleDetails: { author: 'ops-bot', url: 'https://ops.example.com/b/1', summary: 'all green' },
			},
			{ items: [binaryItem(PNG, 'cover.png', 'image/png')] },
		);
		expect([...wecom.uploads.values()].map((u) => [u.type, u.filename])).toEqual([
			['voice', 'alert.amr'],
			['video', 'replay.mp4'],
			['image', 'cover.png'],
		]);
		expect(wecom.delivered.map((d) => d.msgtype)).toEqual(['voice', 'video', 'mpnews']);
		expect(wecom.delivered[1].payload).toMatchObject({ title: 'Outage replay', description: 'db-01, 03:12' });
		const cover = [...wecom.uploads.values()][2].mediaId;
		expect(wecom.delivered[2].payload).toEqual({
			articles: [{ title: 'Nightly backup', content: html, thumb_media_id: cover, author: 'ops-bot', content_source_url: 'https://ops.example.com/b/1', digest: 'all green' }],
		});
	});

	it('uploads media and recalls a message', async () => {
		const [upload] = await executeNode(node, { typeVersion: 1,
			credentials: credentials(),
			items: [binaryItem(Buffer.from('a fairly small file body'), 'notes.txt', 'text/plain')],
			parameters: { resource: 'media', operation: 'upload', mediaType: 'file', binaryPropertyName: 'data' },
		});
		expect(upload.json).toMatchObject({ mediaId: expect.any(String), type: 'file' });
		const [sent] = await send({ messageType: 'text', content: 'oops', toUsers: ['zhangsan'] });
		const msgid = (sent.json.messageIds as string[])[0];
		const [recalled] = await executeNode(node, { typeVersion: 1, credentials: credentials(), parameters: { resource: 'message', operation: 'recall', msgid } });
		expect(recalled.json).toEqual({ msgid, recalled: true });
		expect(wecom.recalled).toEqual([msgid]);
	});

	it('fills the user and department pickers through loadOptions', async () => {
		const departments = await loadOptions(node, { credentials: credentials(), parameters: {}, kind: 'loadOptions', method: 'getDepartments' });
		expect(departments).toEqual(expect.arrayContaining([expect.objectContaining({ value: expect.any(String), name: expect.any(String) })]));
		const users = (await loadOptions(node, { credentials: credentials(), parameters: {}, kind: 'loadOptions', method: 'getUsers' })) as Array<{ value: string }>;
		expect(users.length).toBeGreaterThan(0);
		expect(new Set(users.map((u) => u.value)).size).toBe(users.length);
	});

	it('runs 1,000 items with one token fetch and refreshes once when WeCom expires the token mid-run', async () => {
		const items = Array.from({ length: 1000 }, (_v, n) => ({ n }));
		const first = executeNode(node, { typeVersion: 1,
			credentials: credentials(),
			items,
			// One member per item: 1,000 messages to one member would (rightly) be coalesced at 30/min.
			parameters: { resource: 'message', operation: 'send', messageType: 'text', content: '={{ "job " + $json.n }}', toUsers: '={{ ["member" + $json.n] }}' },
		});
		const out = await first;
		expect(out).toHaveLength(1000);
		expect(out.map((o) => (o.pairedItem as { item: number }).item)).toEqual(items.map((_v, n) => n));
		expect(out.every((o) => o.json.ok === true)).toBe(true);
		expect(wecom.gettokenCalls).toBe(1);
		expect(wecom.delivered).toHaveLength(1000);

		wecom.invalidateTokens(42001);
		const again = await executeNode(node, { typeVersion: 1,
			credentials: credentials(),
			items: items.slice(0, 20),
			parameters: { resource: 'message', operation: 'send', messageType: 'text', content: '={{ "again " + $json.n }}', toUsers: ['zhangsan'] },
		});
		expect(again.every((o) => o.json.ok === true)).toBe(true);
		expect(wecom.gettokenCalls).toBe(2);
	});

	it('searches users and departments through listSearch (From List mode), filtered by name or ID', async () => {
		const search = (method: string, filter?: string) =>
			loadOptions(node, { credentials: credentials(), parameters: {}, kind: 'listSearch', method, filter }) as Promise<{ results: Array<{ name: string; value: string }> }>;
		const listingsBefore = wecom.server.calls('/user/simplelist').length;
		const all = await search('searchUsers');
		expect(all.results.map((r) => r.value).sort()).toEqual(['lisi', 'wangwu', 'zhangsan']);
		expect(all.results.find((r) => r.value === 'zhangsan')?.name).toBe('张三 (zhangsan)');
		expect((await search('searchUsers', '李')).results).toEqual([{ name: '李四 (lisi)', value: 'lisi' }]);
		expect((await search('searchUsers', 'WANG')).results.map((r) => r.value)).toEqual(['wangwu']);
		expect((await search('searchUsers', 'nobody')).results).toEqual([]);
		// Typing a filter does not list the directory again: at most one call per department (3) for all four searches.
		expect(wecom.server.calls('/user/simplelist').length - listingsBefore).toBeLessThanOrEqual(3);

		const departments = await search('searchDepartments');
		expect(departments.results.map((r) => r.value).sort()).toEqual(['1', '2', '3']);
		expect((await search('searchDepartments', 'ops')).results).toEqual([{ name: 'Ops (3)', value: '3' }]);
		expect((await search('searchDepartments', '2')).results).toEqual([{ name: '研发部 (2)', value: '2' }]);
		expect(wecom.gettokenCalls).toBeGreaterThan(0);
	});

	it('listSearch errors surface as node errors without the secret', async () => {
		wecom.failNext('department/list', 60011, 1);
		const error = await loadOptions(node, { credentials: credentials(), parameters: {}, kind: 'listSearch', method: 'searchDepartments' }).catch((e: Error) => e);
		expect(error).toMatchObject({ name: expect.stringMatching(/Node(Api|Operation)Error/) });
		expect(JSON.stringify(error)).not.toContain(wecom.corpSecret);
	});

	it('sends to users and departments picked with the resource locators (From List or By ID), merged with the older fields', async () => {
		await send({
			messageType: 'text',
			content: 'picked',
			toUsers: ['zhangsan'],
			userPicks: { user: [{ id: { __rl: true, mode: 'list', value: 'lisi', cachedResultName: '李四 (lisi)' } }, { id: { __rl: true, mode: 'id', value: 'zhangsan' } }] },
			departmentPicks: { department: [{ id: { __rl: true, mode: 'id', value: '3' } }] },
		});
		expect(wecom.delivered[0]).toMatchObject({ msgtype: 'text', touser: ['zhangsan', 'lisi'], toparty: ['3'] });
		// A workflow saved before the pickers existed sends exactly as before.
		await send({ messageType: 'text', content: 'old', toUsers: ['wangwu'], toParties: ['2'] });
		expect(wecom.delivered[1]).toMatchObject({ touser: ['wangwu'], toparty: ['2'] });
	});

	it('upstream errors: continue-on-fail items carry code + hint (60020 names the IP), otherwise NodeApiError', async () => {
		wecom.failNext('message/send', 60020, 1, 'not allow to access from your ip, hint: [x], from ip: 203.0.113.9, more info at https://open.work.weixin.qq.com/devtool/query?e=60020');
		const out = await send({ messageType: 'text', content: 'x', toUsers: ['zhangsan'] }, { continueOnFail: true, items: [{ a: 1 }, { a: 2 }] });
		const failed = out.filter((o) => o.json.error !== undefined);
		expect(failed).toHaveLength(1);
		expect(failed[0].json).toMatchObject({ code: 60020, retryable: false, hint: expect.stringMatching(/IP/i) });
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);

		wecom.failNext('message/send', 81013, 1);
		const error = await send({ messageType: 'text', content: 'x', toUsers: ['zhangsan'] }).catch((e: Error) => e);
		expect(error).toMatchObject({ name: 'NodeApiError' });
		expect(JSON.stringify(error)).not.toContain(wecom.corpSecret);
	});

	it('rejects bad input before any request: no recipients, missing binary', async () => {
		await expect(send({ messageType: 'text', content: 'x' })).rejects.toMatchObject({ name: 'NodeOperationError' });
		await expect(send({ messageType: 'image', toUsers: ['zhangsan'], binaryPropertyName: 'data' })).rejects.toMatchObject({ name: 'NodeOperationError' });
		expect(wecom.sendCalls).toBe(0);
	});

	it('says in the duplicate-check field that identical messages to the same recipients within the window are delivered once', () => {
		const props = node.description.properties.flatMap((p) => [p, ...((p.options ?? []) as typeof node.description.properties)]);
		const field = props.find((p) => p.name === 'duplicateCheck')!;
		expect(field.default).toBe(300);
		expect(field.description).toMatch(/identical message to the same recipients within this many seconds is delivered once/);
		expect(field.description).toMatch(/0 turns the check off/);
	});

	it('an unreachable Base URL: the hint names the form field "Base URL", not the config key', async () => {
		const dead = { weComAppApi: { baseUrl: 'http://127.0.0.1:9', corpId: wecom.corpId, secret: wecom.corpSecret, agentId: wecom.agentId } };
		const [out] = await executeNode(node, { typeVersion: 1, credentials: dead, continueOnFail: true, parameters: { resource: 'message', operation: 'send', messageType: 'text', content: 'x', toUsers: ['zhangsan'] } });
		expect(out.json.hint).toMatch(/Base URL/);
		expect(JSON.stringify(out.json)).not.toMatch(/baseUrl/);
		const wrong = { weComAppApi: { baseUrl: wecom.url, corpId: wecom.corpId, secret: 'wrong-secret', agentId: wecom.agentId } };
		const [denied] = await executeNode(node, { credentials: wrong, continueOnFail: true, parameters: { resource: 'message', operation: 'send', messageType: 'text', content: 'x', userPicks: { user: [{ id: { __rl: true, mode: 'id', value: 'zhangsan' } }] } } });
		expect(denied.json).toMatchObject({ code: 40001, hint: expect.stringContaining('App Secret') });
		expect(String(denied.json.hint)).not.toContain('corpSecret');
	});

	describe('version 2: one recipient set of resource locators', () => {
		const send2 = (parameters: Record<string, unknown>) => executeNode(node, { credentials: credentials(), parameters: { resource: 'message', operation: 'send', ...parameters } });
		const rl = (value: string, mode = 'list') => ({ id: { __rl: true, mode, value } });

		it('offers users, departments and tags as pickers only; the version 1 fields are gone', () => {
			const shown = (name: string, version: number) =>
				node.description.properties.some((p) => p.name === name && (p.displayOptions?.show?.['@version'] ?? [version]).includes(version));
			for (const name of ['toUsers', 'toParties', 'toTags']) expect({ name, v2: shown(name, 2), v1: shown(name, 1) }).toEqual({ name, v2: false, v1: true });
			for (const name of ['userPicks', 'departmentPicks', 'tagPicks']) expect({ name, v2: shown(name, 2) }).toEqual({ name, v2: true });
			expect(node.description.defaultVersion).toBe(2);
		});

		it('sends to picked members, departments and tags', async () => {
			await send2({ messageType: 'text', content: 'v2', userPicks: { user: [rl('zhangsan'), rl('lisi', 'id')] }, departmentPicks: { department: [rl('2')] }, tagPicks: { tag: [rl('3')] } });
			expect(wecom.delivered[0]).toMatchObject({ touser: ['zhangsan', 'lisi'], toparty: ['2'], totag: ['3'] });
		});

		it('searches tags by name or ID (tag/list)', async () => {
			const search = (filter?: string) => loadOptions(node, { credentials: credentials(), parameters: {}, kind: 'listSearch', method: 'searchTags', filter }) as Promise<{ results: Array<{ name: string; value: string }> }>;
			expect((await search()).results.map((r) => r.value).sort()).toEqual(['1', '3']);
			expect((await search('dba')).results).toEqual([{ name: 'DBA (3)', value: '3' }]);
		});

		it('a text card requires its title and URL, and Markdown Fallback shows for markdown only', () => {
			const cardFields = node.description.properties.filter((p) => (p.displayOptions?.show?.messageType as string[] | undefined)?.includes('textcard'));
			expect(cardFields.filter((p) => ['title', 'url', 'content'].includes(p.name)).map((p) => [p.name, p.required === true])).toEqual([
				['title', true],
				['content', true],
				['url', true],
			]);
			for (const field of cardFields) expect({ name: field.name, placeholder: Boolean(field.placeholder) }).toEqual({ name: field.name, placeholder: true });
			const options = node.description.properties.find((p) => p.name === 'options' && p.displayOptions?.show?.operation?.includes('send'))!;
			const fallback = (options.options as Array<{ name: string; displayOptions?: { show?: Record<string, unknown> } }>).find((o) => o.name === 'markdownFallback')!;
			expect(fallback.displayOptions?.show).toEqual({ '/messageType': ['markdown'] });
		});
	});
});
