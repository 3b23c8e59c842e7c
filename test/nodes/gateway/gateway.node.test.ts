import { NotifyGateway } from '../../../nodes/NotifyGateway/NotifyGateway.node';
import { ITEM_CONCURRENCY } from '../../../nodes/shared/run-items';
import { DEFAULT_GATEWAY_CODE, FakeGateway } from '../../fakes/gateway';
import { executeNode } from '../support/node-harness';

describe('Notify Gateway node (in-process, fake gateway)', () => {
	let fake: FakeGateway;
	const node = new NotifyGateway();
	const credentials = (over: Record<string, string> = {}) => ({ notifyGatewayApi: { baseUrl: fake.url, code: DEFAULT_GATEWAY_CODE, apiKey: '', ...over } });

	beforeEach(async () => {
		fake = await FakeGateway.start();
	});
	afterEach(async () => {
		await fake.close();
	});

	it('sends through /api/notify/{code} with title and content', async () => {
		const [out] = await executeNode(node, {
			credentials: credentials(),
			parameters: { resource: 'message', operation: 'send', route: 'code', title: 'CPU', content: 'load 95%' },
		});
		expect(fake.delivered).toEqual([{ route: 'code', code: DEFAULT_GATEWAY_CODE, title: 'CPU', content: 'load 95%' }]);
		expect(out.json).toMatchObject({ channel: 'gateway', ok: true, details: { route: 'code' } });
		expect(JSON.stringify(out.json)).not.toContain(DEFAULT_GATEWAY_CODE);
	});

	it('sends through /api/notify to each wxid', async () => {
		const [out] = await executeNode(node, {
			credentials: credentials({ code: '' }),
			parameters: { resource: 'message', operation: 'send', route: 'wxid', wxids: 'wxid_a, wxid_b', content: 'hi' },
		});
		expect(fake.delivered.map((d) => d.wxid).sort()).toEqual(['wxid_a', 'wxid_b']);
		expect(out.json).toMatchObject({ ok: true, batches: 2 });
	});

	it('runs 1,000 items with bounded concurrency, every output paired to its input, in input order', async () => {
		fake.server.injectFaults({ delayMs: 2 });
		let inFlight = 0;
		let maxInFlight = 0;
		const handle = (fake.server as unknown as { handle: (...args: unknown[]) => Promise<void> }).handle.bind(fake.server);
		(fake.server as unknown as { handle: (...args: unknown[]) => Promise<void> }).handle = async (...args: unknown[]) => {
			maxInFlight = Math.max(maxInFlight, ++inFlight);
			try {
				await handle(...args);
			} finally {
				inFlight--;
			}
		};
		const items = Array.from({ length: 1000 }, (_v, n) => ({ n }));
		const out = await executeNode(node, {
			credentials: credentials(),
			items,
			parameters: { resource: 'message', operation: 'send', route: 'code', content: '={{ "item " + $json.n }}' },
		});
		expect(out).toHaveLength(1000);
		expect(out.map((o) => (o.pairedItem as { item: number }).item)).toEqual(items.map((_v, n) => n));
		expect(out.every((o) => o.json.ok === true)).toBe(true);
		expect(fake.delivered).toHaveLength(1000);
		expect(new Set(fake.delivered.map((d) => d.content)).size).toBe(1000);
		expect(maxInFlight).toBeGreaterThan(1);
		expect(maxInFlight).toBeLessThanOrEqual(ITEM_CONCURRENCY);
	});

	it('an unknown code is a failed item with the hint under continue-on-fail, a NodeApiError otherwise; the code never leaks', async () => {
		const bad = 'cfg_unknown_code_77';
		const [out] = await executeNode(node, {
			credentials: credentials({ code: bad }),
			continueOnFail: true,
			parameters: { resource: 'message', operation: 'send', route: 'code', content: 'x' },
		});
		expect(out.json).toMatchObject({ error: expect.any(String), code: expect.anything(), retryable: false });
		expect(JSON.stringify(out.json)).not.toContain(bad);
		const error = await executeNode(node, { credentials: credentials({ code: bad }), parameters: { resource: 'message', operation: 'send', route: 'code', content: 'x' } }).catch((e: Error) => e);
		expect(error).toMatchObject({ name: 'NodeApiError' });
		expect(JSON.stringify(error)).not.toContain(bad);
	});

	it('maps connection resets seen by n8n\'s request helper to retryable network errors (retried first)', async () => {
		fake.server.injectFaults({ reset: 100 });
		const [out] = await executeNode(node, {
			credentials: credentials(),
			continueOnFail: true,
			parameters: { resource: 'message', operation: 'send', route: 'code', content: 'x' },
		});
		expect(out.json).toMatchObject({ kind: 'network', code: 'ECONNRESET', retryable: true });
		expect(fake.server.requests.length).toBeGreaterThan(1);
		expect(JSON.stringify(out.json)).not.toContain(DEFAULT_GATEWAY_CODE);
	});
});
