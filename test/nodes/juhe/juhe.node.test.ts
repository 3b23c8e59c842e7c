import { JuheWeCom } from '../../../nodes/JuheWeCom/JuheWeCom.node';
import { JuheFake } from '../../fakes/juhe';
import { executeNode } from '../support/node-harness';

const GUID = '5b1eb388-a4df-3da5-a49a-507eea46632c';

describe('JuHe WeCom node (in-process, fake JuHe hook, direct and gateway mode)', () => {
	let fake: JuheFake;
	const node = new JuheWeCom();
	const direct = () => ({ juheWeComApi: { mode: 'direct', baseUrl: fake.url, guid: GUID } });
	const gateway = () => ({ juheWeComApi: { mode: 'gateway', baseUrl: fake.url, guid: GUID, appKey: fake.appKey, appSecret: fake.appSecret } });

	beforeEach(async () => {
		fake = await JuheFake.start({ echo: 'none' });
	});
	afterEach(async () => {
		await fake.close();
	});

	it('lists clients (one item each), reads the client status and lists sessions', async () => {
		const clients = await executeNode(node, { credentials: direct(), parameters: { resource: 'client', operation: 'getAll' } });
		expect(clients.map((c) => c.json)).toEqual([{ guid: GUID }]);
		const [status] = await executeNode(node, { credentials: gateway(), parameters: { resource: 'client', operation: 'getStatus' } });
		expect(status.json).toEqual({ status: 2, state: 'online' });
		const [sessions] = await executeNode(node, { credentials: direct(), parameters: { resource: 'session', operation: 'getAll' } });
		expect(sessions.json).toMatchObject({ sessions: ['S:1688852792312821', 'S:1688857160788209', 'R:1970325468984112'], complete: true });
	});

	it('sends text with conversation_id repair and a result per target; a refused target does not fail the item', async () => {
		const [out] = await executeNode(node, {
			credentials: gateway(),
			parameters: { resource: 'message', operation: 'sendText', conversationIds: '1688852792312821, R:1970325468984112, S:1688850000004017', content: 'hello' },
		});
		expect(fake.sent.map((s) => s.conversationId).sort()).toEqual(['R:1970325468984112', 'S:1688852792312821']);
		const targets = (out.json.details as { targets: Array<Record<string, unknown>>; repaired: number }).targets;
		expect((out.json.details as { repaired: number }).repaired).toBe(1);
		expect(targets.find((t) => t.conversationId === 'S:1688852792312821')).toMatchObject({ ok: true, input: '1688852792312821' });
		expect(targets.find((t) => t.conversationId === 'S:1688850000004017')).toMatchObject({ ok: false, error: expect.objectContaining({ code: -4017 }) });
		expect(out.json.ok).toBe(false);
		expect(JSON.stringify(out.json)).not.toContain(fake.appSecret);
	});

	it('a wrong gateway secret fails every item with a hint (continue-on-fail) and never leaks the secret', async () => {
		const bad = { juheWeComApi: { mode: 'gateway', baseUrl: fake.url, guid: GUID, appKey: fake.appKey, appSecret: 'as_wrong_secret_000' } };
		const out = await executeNode(node, {
			credentials: bad,
			continueOnFail: true,
			items: [{}, {}],
			parameters: { resource: 'client', operation: 'getStatus' },
		});
		expect(out).toHaveLength(2);
		expect(out[0].json).toMatchObject({ error: expect.any(String), retryable: false });
		expect(JSON.stringify(out)).not.toContain('as_wrong_secret_000');
		await expect(executeNode(node, { credentials: bad, parameters: { resource: 'client', operation: 'getStatus' } })).rejects.toMatchObject({ name: 'NodeApiError' });
	});
});
