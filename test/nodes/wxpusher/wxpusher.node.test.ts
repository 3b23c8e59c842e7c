import { WxPusher } from '../../../nodes/WxPusher/WxPusher.node';
import { DEFAULT_APP_TOKEN, envelope, FakeWxPusher } from '../../fakes/wxpusher';
import { executeNode } from '../support/node-harness';

describe('WxPusher node (in-process, fake WxPusher)', () => {
	let fake: FakeWxPusher;
	const node = new WxPusher();
	const appCredentials = () => ({ wxPusherApi: { baseUrl: fake.url, authType: 'appToken', appToken: DEFAULT_APP_TOKEN } });

	beforeEach(async () => {
		fake = await FakeWxPusher.start({ unreachableUids: ['UID_gone'] });
	});
	afterEach(async () => {
		await fake.close();
	});

	it('sends markdown to uids and topics with summary and url; per-target failures are reported, not thrown', async () => {
		const [out] = await executeNode(node, { typeVersion: 1,
			credentials: appCredentials(),
			parameters: {
				resource: 'message',
				operation: 'send',
				content: '# Deploy\n**ok**',
				format: 'markdown',
				uids: 'UID_alice, UID_gone',
				topicIds: '7',
				additionalFields: { summary: 'Deploy ok', url: 'https://example.com/run/1' },
			},
		});
		expect(fake.sends).toHaveLength(1);
		expect(fake.sends[0].body).toMatchObject({ appToken: DEFAULT_APP_TOKEN, contentType: 3, uids: ['UID_alice', 'UID_gone'], topicIds: [7], summary: 'Deploy ok', url: 'https://example.com/run/1' });
		expect(out.json).toMatchObject({ channel: 'wxpusher', ok: false, partialFailures: [expect.objectContaining({ id: 'UID_gone' })] });
		expect(JSON.stringify(out.json)).not.toContain(DEFAULT_APP_TOKEN);
	});

	it('sends with an SPT credential through simple push', async () => {
		const spt = 'SPT_abcdef123456';
		const [out] = await executeNode(node, { typeVersion: 1,
			credentials: { wxPusherApi: { baseUrl: fake.url, authType: 'spt', spt } },
			parameters: { resource: 'message', operation: 'send', content: 'hello', format: 'text' },
		});
		expect(fake.sends[0]).toMatchObject({ kind: 'simple' });
		expect(out.json.ok).toBe(true);
		expect(JSON.stringify(out.json)).not.toContain(spt);
	});

	it('queries status, creates a QR code and reads its scanner', async () => {
		const [status] = await executeNode(node, { typeVersion: 1, credentials: appCredentials(), parameters: { resource: 'message', operation: 'queryStatus', sendRecordId: '12313' } });
		expect(status.json.sendRecordId).toBe('12313');
		expect(fake.calls('/api/send/query/status')).toHaveLength(1);

		const create = (extra: string) => executeNode(node, { typeVersion: 1, credentials: appCredentials(), parameters: { resource: 'qrCode', operation: 'create', extra, validTime: 600 } });
		const poll = (code: unknown) => executeNode(node, { typeVersion: 1, credentials: appCredentials(), parameters: { resource: 'qrCode', operation: 'getScannedUid', code: String(code) } });
		const [unscanned] = await create('user-41');
		expect(unscanned.json).toMatchObject({ code: expect.any(String), url: expect.any(String) });
		const [before] = await poll(unscanned.json.code);
		expect(before.json).toEqual({ code: unscanned.json.code, uid: null, scanned: false });
		// One poll per code: WxPusher blocks pollers faster than every 10 s.
		const [scanned] = await create('user-42');
		fake.scan(scanned.json.code as string, 'UID_alice');
		const [after] = await poll(scanned.json.code);
		expect(after.json).toEqual({ code: scanned.json.code, uid: 'UID_alice', scanned: true });
	});

	it('lists followers (one item each, paired to the input) and removes, blocks, unblocks one', async () => {
		const list = await executeNode(node, { typeVersion: 1, credentials: appCredentials(), parameters: { resource: 'follower', operation: 'list', returnAll: true } });
		expect(list.map((i) => i.json.uid)).toEqual(['UID_alice', 'UID_bob', 'UID_carol']);
		expect(list.every((i) => (i.pairedItem as { item: number }).item === 0)).toBe(true);
		const limited = await executeNode(node, { typeVersion: 1, credentials: appCredentials(), parameters: { resource: 'follower', operation: 'list', returnAll: false, limit: 2 } });
		expect(limited).toHaveLength(2);

		for (const operation of ['block', 'unblock', 'remove']) {
			const [out] = await executeNode(node, { typeVersion: 1, credentials: appCredentials(), parameters: { resource: 'follower', operation, followerId: '102' } });
			expect(out.json).toEqual({ id: '102', operation, ok: true });
		}
		expect(fake.calls('/api/fun/reject').map((r) => r.query.get('reject'))).toEqual(['true', 'false']);
		expect(fake.calls('/api/fun/remove')[0].query.get('id')).toBe('102');
	});

	it('an upstream error becomes {error, code, hint, retryable} with continue-on-fail, and a NodeApiError without', async () => {
		fake.script(envelope(1001, 'appToken不正确'), '/api/send/message');
		const out = await executeNode(node, { typeVersion: 1,
			credentials: appCredentials(),
			continueOnFail: true,
			items: [{ n: 1 }, { n: 2 }],
			parameters: { resource: 'message', operation: 'send', content: 'x', uids: 'UID_alice' },
		});
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		const failed = out.filter((o) => o.json.error !== undefined);
		expect(failed).toHaveLength(1);
		expect(failed[0].json).toMatchObject({ code: 1001, retryable: false, hint: expect.any(String) });

		fake.script(envelope(1001, 'appToken不正确'), '/api/send/message');
		await expect(
			executeNode(node, { typeVersion: 1, credentials: appCredentials(), parameters: { resource: 'message', operation: 'send', content: 'x', uids: 'UID_alice' } }),
		).rejects.toMatchObject({ name: 'NodeApiError' });
	});

	it('rejects a malformed appToken before any request', async () => {
		await expect(
			executeNode(node, { typeVersion: 1, credentials: { wxPusherApi: { baseUrl: fake.url, authType: 'appToken', appToken: 'nope' } }, parameters: { resource: 'message', operation: 'send', content: 'x', uids: 'UID_alice' } }),
		).rejects.toMatchObject({ name: 'NodeOperationError' });
		expect(fake.requests).toHaveLength(0);
	});

	describe('version 1.1: targets by "Send With"', () => {
		const spt = 'SPT_abcdef123456';
		const sptCredentials = () => ({ wxPusherApi: { baseUrl: fake.url, authType: 'spt', spt } });
		const visible = (name: string, pushType: string) =>
			node.description.properties.some((p) => {
				const show = p.displayOptions?.show ?? {};
				return p.name === name && (show['@version'] ?? [1.1]).includes(1.1) && (show.pushType ?? [pushType]).includes(pushType);
			});

		it('shows UIDs and Topic IDs for an App Token, SPTs for an SPT, before the content and not under Additional Fields', () => {
			expect(['uids', 'topicIds', 'spts'].map((n) => visible(n, 'appToken'))).toEqual([true, true, false]);
			expect(['uids', 'topicIds', 'spts'].map((n) => visible(n, 'spt'))).toEqual([false, false, true]);
			const names = node.description.properties.filter((p) => (p.displayOptions?.show?.['@version'] ?? [1.1]).includes(1.1) && p.displayOptions?.show?.operation?.includes('send')).map((p) => p.name);
			expect(names.indexOf('uids')).toBeLessThan(names.indexOf('content'));
			const additional = node.description.properties.find((p) => p.name === 'additionalFields')!;
			const spts = (additional.options as Array<{ name: string; displayOptions?: { show?: Record<string, unknown> } }>).find((o) => o.name === 'spts');
			expect(spts?.displayOptions?.show).toEqual({ '@version': [1] });
		});

		it('sends to the given SPTs (and to the credential SPT when empty)', async () => {
			await executeNode(node, { credentials: sptCredentials(), parameters: { resource: 'message', operation: 'send', pushType: 'spt', spts: 'SPT_other1', content: 'a' } });
			await executeNode(node, { credentials: sptCredentials(), parameters: { resource: 'message', operation: 'send', pushType: 'spt', content: 'b' } });
			expect(fake.sends.map((s) => s.kind)).toEqual(['simple', 'simple']);
			expect(JSON.stringify(fake.sends[0].body)).toContain('SPT_other1');
			expect(JSON.stringify(fake.sends[1].body)).toContain(spt);
		});

		it('a Send With that does not match the credential fails before any request, naming both', async () => {
			const error = await executeNode(node, { credentials: sptCredentials(), parameters: { resource: 'message', operation: 'send', pushType: 'appToken', uids: 'UID_alice', content: 'x' } }).catch((e: Error) => e);
			expect(error).toMatchObject({ name: 'NodeOperationError', message: expect.stringMatching(/Send With is an App Token.*Simple Push Token/) });
			expect(fake.sends).toHaveLength(0);
		});
	});
});
