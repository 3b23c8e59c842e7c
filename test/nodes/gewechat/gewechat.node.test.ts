import { Gewechat } from '../../../nodes/Gewechat/Gewechat.node';
import { GewechatFake } from '../../fakes/gewechat';
import { executeNode } from '../support/node-harness';

describe('Gewechat node (in-process, real n8n-core contexts, fake gewechat server)', () => {
	let fake: GewechatFake;
	const node = new Gewechat();
	const credentials = () => ({ gewechatApi: { baseUrl: fake.baseUrl, token: fake.token, appId: fake.appId } });

	beforeEach(async () => {
		fake = await GewechatFake.start();
	});
	afterEach(async () => {
		await fake.close();
	});

	it('sends text with @mentions to a group; 64-bit ids survive exactly', async () => {
		const out = await executeNode(node, {
			credentials: credentials(),
			parameters: { resource: 'message', operation: 'sendText', to: '34757816141@chatroom', content: '@Alice deploy done', ats: 'wxid_friend_a' },
		});
		expect(out).toHaveLength(1);
		expect(out[0].pairedItem).toEqual({ item: 0 });
		expect(out[0].json).toMatchObject({ channel: 'gewechat', ok: true, details: { newMsgId: '7773749793478223190' } });
		expect(fake.sent).toHaveLength(1);
		expect(fake.sent[0].body).toMatchObject({ appId: fake.appId, toWxid: '34757816141@chatroom', content: '@Alice deploy done', ats: 'wxid_friend_a' });
		expect(fake.calls('/message/postText')[0].headers['x-gewe-token']).toBe(fake.token);
	});

	it('sends image, file and link messages', async () => {
		const base = { credentials: credentials() };
		await executeNode(node, { ...base, parameters: { resource: 'message', operation: 'sendImage', to: 'wxid_friend_a', imgUrl: 'https://example.com/a.png' } });
		await executeNode(node, {
			...base,
			parameters: { resource: 'message', operation: 'sendFile', to: 'wxid_friend_a', fileUrl: 'https://example.com/r.pdf', fileName: 'r.pdf' },
		});
		await executeNode(node, {
			...base,
			parameters: { resource: 'message', operation: 'sendLink', to: 'wxid_friend_b', title: 'Build', linkUrl: 'https://example.com/b', desc: 'green' },
		});
		expect(fake.sent.map((s) => s.path)).toEqual(['/message/postImage', '/message/postFile', '/message/postLink']);
		expect(fake.sent[1].body).toMatchObject({ fileUrl: 'https://example.com/r.pdf', fileName: 'r.pdf' });
		expect(fake.sent[2].body).toMatchObject({ title: 'Build', linkUrl: 'https://example.com/b', desc: 'green' });
	});

	it('lists contacts and checks the online state', async () => {
		const [contacts] = await executeNode(node, { credentials: credentials(), parameters: { resource: 'contact', operation: 'getAll' } });
		expect(contacts.json).toEqual({ friends: fake.friends, chatrooms: fake.chatrooms, ghs: fake.ghs });
		fake.online = false;
		const [online] = await executeNode(node, { credentials: credentials(), parameters: { resource: 'account', operation: 'checkOnline' } });
		expect(online.json).toEqual({ online: false });
	});

	it('with continue-on-fail, a failed item carries code and hint, the others still go out, pairing is kept', async () => {
		const out = await executeNode(node, {
			credentials: credentials(),
			continueOnFail: true,
			items: [{ to: 'wxid_friend_a' }, { to: 'wxid_unknown' }, { to: 'wxid_friend_b' }],
			parameters: { resource: 'message', operation: 'sendText', to: '={{ $json.to }}', content: 'hi' },
		});
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(out[0].json.ok).toBe(true);
		expect(out[2].json.ok).toBe(true);
		expect(out[1].json).toMatchObject({ code: expect.anything(), retryable: false, channel: 'gewechat' });
		expect(typeof out[1].json.error).toBe('string');
		expect(typeof out[1].json.hint).toBe('string');
		expect(JSON.stringify(out)).not.toContain(fake.token);
		expect(fake.sent.map((s) => s.toWxid)).toEqual(expect.arrayContaining(['wxid_friend_a', 'wxid_friend_b']));
	});

	it('without continue-on-fail the node throws a NodeApiError that names the upstream code and never the token', async () => {
		fake.online = false;
		const run = executeNode(node, { credentials: credentials(), parameters: { resource: 'message', operation: 'sendText', to: 'wxid_friend_a', content: 'hi' } });
		await expect(run).rejects.toMatchObject({ name: 'NodeApiError' });
		const error = await run.catch((e: Error) => e);
		expect(String((error as Error).message) + String((error as { description?: string }).description)).not.toContain(fake.token);
	});

	it('rejects bad input before any request (validation → NodeOperationError)', async () => {
		const run = executeNode(node, { credentials: credentials(), parameters: { resource: 'message', operation: 'sendImage', to: 'wxid_friend_a', imgUrl: 'not a url' } });
		await expect(run).rejects.toMatchObject({ name: 'NodeOperationError' });
		expect(fake.sent).toHaveLength(0);
	});
});
