/**
 * Proof of the real-n8n harness: built-in nodes (Manual Trigger → HTTP Request, Webhook under
 * `n8n start`) and a throwaway community package installed from a tarball.
 */
import * as fs from 'fs';
import { createInstance, executedNodes, N8nInstance, nodeOutput } from './harness';
import { buildSmokePackage, Recorder, SMOKE_PACKAGE, startRecorder } from './smoke-fixtures';

const WEBHOOK_ID = '7d3c0f1e-5a1b-4c2d-9e8f-0123456789ab';

function httpPost(name: string, position: [number, number], url: string, jsonBody: string) {
	return {
		id: `${name}-id`.replace(/\s/g, '-'),
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position,
		parameters: { method: 'POST', url, sendBody: true, specifyBody: 'json', jsonBody, options: {} },
	};
}

const manualTrigger = {
	id: 'manual-id',
	name: 'Manual Trigger',
	type: 'n8n-nodes-base.manualTrigger',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

const link = (from: string, to: string) => ({ [from]: { main: [[{ node: to, type: 'main', index: 0 }]] } });

describe('real n8n host harness (smoke)', () => {
	let recorder: Recorder;
	let n8n: N8nInstance;
	let pkgDir: string;
	let httpWfId: string;

	beforeAll(async () => {
		recorder = await startRecorder();
		const pkg = buildSmokePackage();
		pkgDir = pkg.dir;
		n8n = await createInstance({ packageTarball: pkg.tarball });
	});

	afterAll(async () => {
		await n8n?.dispose();
		await recorder?.close();
		if (pkgDir) fs.rmSync(pkgDir, { recursive: true, force: true });
	});

	it('executes Manual Trigger → HTTP Request against a loopback server', async () => {
		httpWfId = await n8n.importWorkflow({
			name: 'smoke manual http',
			nodes: [manualTrigger, httpPost('Post It', [220, 0], `${recorder.url}/manual`, '{"hello":"from n8n execute"}')],
			connections: link('Manual Trigger', 'Post It'),
		});

		const res = await n8n.execute(httpWfId);

		expect(res.exitCode).toBe(0);
		expect(res.run?.status).toBe('success');
		expect(executedNodes(res.run)).toEqual(['Manual Trigger', 'Post It']);
		expect(nodeOutput(res.run, 'Post It')).toEqual([{ ok: true, path: '/manual', echoed: { hello: 'from n8n execute' } }]);
		const seen = await recorder.waitFor((r) => r.url === '/manual');
		expect(seen.method).toBe('POST');
		expect(seen.json).toEqual({ hello: 'from n8n execute' });
	});

	it('runs a node from a community package tarball (installed like n8n does)', async () => {
		expect(fs.existsSync(`${n8n.userFolder}/.n8n/nodes/node_modules/${SMOKE_PACKAGE}/package.json`)).toBe(true);
		const [cred] = await n8n.importCredentials([
			{ name: 'Smoke creds', type: 'smokeApi', data: { baseUrl: recorder.url, token: 'good-token' } },
		]);
		const wfId = await n8n.importWorkflow({
			name: 'smoke community node',
			nodes: [
				manualTrigger,
				{
					id: 'echo-id',
					name: 'Echo',
					type: `${SMOKE_PACKAGE}.smokeEcho`,
					typeVersion: 1,
					position: [220, 0],
					parameters: { greeting: 'hi from the package' },
					credentials: { smokeApi: { id: cred.id, name: cred.name } },
				},
			],
			connections: link('Manual Trigger', 'Echo'),
		});

		const res = await n8n.execute(wfId);

		expect(res.exitCode).toBe(0);
		expect(nodeOutput(res.run, 'Echo')).toEqual([
			{ greeting: 'hi from the package', answer: { ok: true, path: '/echo', echoed: { greeting: 'hi from the package', itemIndex: 0 } } },
		]);
		const seen = await recorder.waitFor((r) => r.url === '/echo');
		expect(seen.headers.authorization).toBe('Bearer good-token');
	});

	it('serves a published Webhook workflow under n8n start, plus REST helpers', async () => {
		const hookWfId = await n8n.importWorkflow({
			name: 'smoke webhook',
			nodes: [
				{
					id: 'hook-id',
					name: 'Webhook',
					type: 'n8n-nodes-base.webhook',
					typeVersion: 2,
					position: [0, 0],
					webhookId: WEBHOOK_ID,
					parameters: { httpMethod: 'POST', path: 'smoke-hook', responseMode: 'onReceived', options: {} },
				},
				httpPost('Forward', [220, 0], `${recorder.url}/from-webhook`, '={{ JSON.stringify({ via: "webhook", ping: $json.body.ping }) }}'),
			],
			connections: link('Webhook', 'Forward'),
		});
		await n8n.publish(hookWfId);
		await n8n.start();

		// the built-in Webhook node is `isFullPath`: /webhook/<path> (community triggers: webhookUrl(id, path))
		expect(n8n.webhookUrl('smoke-hook')).toBe(`${n8n.baseUrl}/webhook/smoke-hook`);
		expect(n8n.webhookUrl(WEBHOOK_ID, 'events')).toBe(`${n8n.baseUrl}/webhook/${WEBHOOK_ID}/events`);
		await n8n.waitForWebhook(n8n.webhookUrl('smoke-hook'));
		const res = await fetch(n8n.webhookUrl('smoke-hook'), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ ping: 'pong-42' }),
		});
		expect(res.status).toBe(200);
		const forwarded = await recorder.waitFor((r) => r.url === '/from-webhook');
		expect(forwarded.json).toEqual({ via: 'webhook', ping: 'pong-42' });

		// REST: owner setup + cookie, registered types, credential test, loadOptions
		await n8n.login();
		const types = (await n8n.nodeTypes()).map((t) => t.name);
		expect(types).toEqual(expect.arrayContaining(['n8n-nodes-base.webhook', `${SMOKE_PACKAGE}.smokeEcho`]));
		const credData = { baseUrl: recorder.url, token: 'good-token' };
		const [cred] = await n8n.importCredentials([{ name: 'Smoke for REST', type: 'smokeApi', data: credData }]);
		expect(await n8n.testCredential({ ...cred, data: credData })).toMatchObject({ status: 'OK' });
		expect(await n8n.testCredential({ ...cred, data: { ...credData, token: 'bad' } })).toMatchObject({ status: 'Error' });
		const options = await n8n.loadOptions({
			path: 'parameters.channel',
			nodeTypeAndVersion: { name: `${SMOKE_PACKAGE}.smokeEcho`, version: 1 },
			methodName: 'getChannels',
			currentNodeParameters: { greeting: 'x', channel: '' },
			credentials: { smokeApi: { id: cred.id, name: cred.name } },
		});
		expect(options).toEqual([
			{ name: 'General', value: 'c1' },
			{ name: 'Alerts', value: 'c2' },
		]);

		// `n8n execute` still works while the server is up (separate task broker port)
		const again = await n8n.execute(httpWfId);
		expect(again.exitCode).toBe(0);

		await n8n.stop();
		expect(n8n.running).toBe(false);
	});
});
