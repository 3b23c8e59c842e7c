import type { INodeExecutionData } from 'n8n-workflow';
import { WeComRobot } from '../../../nodes/WeComRobot/WeComRobot.node';
import { startFakeRobot, type FakeRobot } from '../../fakes/wecom';
import { executeNode } from '../support/node-harness';

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(128, 3)]);
const binaryItem = (data: Buffer, fileName: string, mimeType: string): INodeExecutionData => ({
	json: {},
	binary: { data: { data: data.toString('base64'), fileName, mimeType } },
});

describe('WeCom Robot node (in-process, strict fake robot)', () => {
	let robot: FakeRobot;
	const node = new WeComRobot();
	const send = (parameters: Record<string, unknown>, extra: Record<string, unknown> = {}, key?: string) =>
		executeNode(node, {
			credentials: { weComRobotApi: { baseUrl: robot.url, key: key ?? robot.key } },
			parameters: { resource: 'message', operation: 'send', ...parameters },
			...extra,
		});

	beforeEach(async () => {
		robot = await startFakeRobot();
	});
	afterEach(async () => {
		await robot.close();
	});

	it('sends text with mentions, markdown and markdown_v2', async () => {
		await send({ messageType: 'text', content: 'build red', mentionedList: 'zhangsan, @all', mentionedMobileList: '13800001111' });
		await send({ messageType: 'markdown', content: '<font color="warning">red</font>' });
		const [out] = await send({ messageType: 'markdown_v2', content: '| a | b |\n|---|---|\n| 1 | 2 |' });
		expect(robot.delivered.map((d) => d.msgtype)).toEqual(['text', 'markdown', 'markdown_v2']);
		expect(robot.delivered[0].payload).toMatchObject({ content: 'build red', mentioned_list: ['zhangsan', '@all'], mentioned_mobile_list: ['13800001111'] });
		expect(out.json).toMatchObject({ channel: 'wecom-bot', ok: true });
		expect(JSON.stringify(out.json)).not.toContain(robot.key);
	});

	it('sends an image (base64 + md5) and a file (uploaded with the key) from binary data', async () => {
		await send({ messageType: 'image', binaryPropertyName: 'data' }, { items: [binaryItem(PNG, 'chart.png', 'image/png')] });
		await send({ messageType: 'file', binaryPropertyName: 'data' }, { items: [binaryItem(Buffer.from('log line 1\nlog line 2\n'), 'build.log', 'text/plain')] });
		expect(robot.delivered.map((d) => d.msgtype)).toEqual(['image', 'file']);
		expect(robot.uploadCalls).toBe(1);
	});

	it('sends news and a template card', async () => {
		await send({ messageType: 'news', title: 'Release', content: 'v1.2', url: 'https://example.com/rel' });
		await send({
			messageType: 'template_card',
			templateCard: { card_type: 'text_notice', main_title: { title: 'Alert' }, card_action: { type: 1, url: 'https://example.com' } },
		});
		expect(robot.delivered.map((d) => d.msgtype)).toEqual(['news', 'template_card']);
		expect((robot.delivered[0].payload as { articles: Array<{ title: string }> }).articles[0].title).toBe('Release');
	});

	it('a wrong key is 93000 with a hint (continue-on-fail) and a NodeApiError otherwise; the key never leaks', async () => {
		const wrongKey = '00000000-1111-4222-a333-444444444444';
		const [out] = await send({ messageType: 'text', content: 'x' }, { continueOnFail: true }, wrongKey);
		expect(out.json).toMatchObject({ code: 93000, retryable: false, hint: expect.any(String), error: expect.stringContaining('93000') });
		// The hint has its own field: the error text does not repeat it.
		expect(String(out.json.error)).not.toContain(String(out.json.hint));
		expect(JSON.stringify(out.json)).not.toContain(wrongKey);
		const error = (await send({ messageType: 'text', content: 'x' }, {}, wrongKey).catch((e: Error) => e)) as Error & { description?: string };
		expect(error).toMatchObject({ name: 'NodeApiError' });
		expect(error.description).toBe(`Hint: ${String(out.json.hint)}`);
		expect(error.message).not.toContain(String(out.json.hint));
		expect(JSON.stringify(error)).not.toContain(wrongKey);
	});
});
