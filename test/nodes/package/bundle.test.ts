/**
 * The built package (scripts/build-n8n.mjs) carries the core once: every node file requires
 * dist/shared/core.js, so inside one n8n process all nodes share one token cache and one pace.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { INodeType } from 'n8n-workflow';
import { startFakeWeCom, type FakeWeCom } from '../../fakes/wecom';
import { executeNode } from '../support/node-harness';

const ROOT = path.resolve(__dirname, '..', '..', '..');
/** How esbuild emits the core's TokenCache class: the marker of a copy of the core. */
const CORE_MARKER = /\bvar TokenCache = class\b/;
const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { n8n: { nodes: string[]; credentials: string[] } };

describe('n8n package build: one shared core', () => {
	let out: string;
	let wecom: FakeWeCom;
	const built = (file: string) => path.join(out, file.replace(/^dist\//, ''));

	beforeAll(() => {
		// Inside the repo, so the built files resolve n8n-workflow from its node_modules as they do inside n8n.
		const cache = path.join(ROOT, 'node_modules', '.cache');
		fs.mkdirSync(cache, { recursive: true });
		out = fs.mkdtempSync(path.join(cache, 'wxnotify-build-'));
		const run = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build-n8n.mjs'), '--outdir', out], { encoding: 'utf8' });
		if (run.status !== 0) throw new Error(`build failed: ${run.stderr}`);
	}, 60_000);
	beforeEach(async () => {
		wecom = await startFakeWeCom();
	});
	afterEach(async () => {
		await wecom.close();
	});
	afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

	it('holds the core in one file that every node requires; node files stay far below the size of the core', () => {
		const jsFiles = (dir: string): string[] =>
			fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? jsFiles(path.join(dir, e.name)) : e.name.endsWith('.js') ? [path.join(dir, e.name)] : []));
		const withCore = jsFiles(out).filter((f) => CORE_MARKER.test(fs.readFileSync(f, 'utf8')));
		expect(withCore.map((f) => path.relative(out, f))).toEqual([path.join('shared', 'core.js')]);
		for (const node of manifest.n8n.nodes) {
			const file = built(node);
			expect({ node, bytes: fs.statSync(file).size < 80_000 }).toEqual({ node, bytes: true });
		}
	});

	it('loads every node and credential in plain Node; all node files resolve one core module', () => {
		// A child process: Node's own module cache, as inside n8n (Jest keeps a registry of its own).
		const script = `
			const files = ${JSON.stringify([...manifest.n8n.nodes, ...manifest.n8n.credentials].map(built))};
			for (const file of files) new (Object.values(require(file))[0])();
			const fs = require('fs');
			const loaded = Object.keys(require.cache).filter((k) => k.startsWith(${JSON.stringify(out)}));
			console.log(JSON.stringify(loaded.filter((k) => ${CORE_MARKER}.test(fs.readFileSync(k, 'utf8')))));`;
		const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: ROOT });
		expect(run.stderr).toBe('');
		expect(JSON.parse(run.stdout)).toEqual([path.join(out, 'shared', 'core.js')]);
	});

	it('a token fetched by the built WeCom node serves any other channel of the package in the process', async () => {
		const { WeCom } = require(built('dist/nodes/WeCom/WeCom.node.js')) as { WeCom: new () => INodeType };
		const credentials = { weComAppApi: { baseUrl: wecom.url, corpId: wecom.corpId, secret: wecom.corpSecret, agentId: wecom.agentId } };
		await executeNode(new WeCom(), { typeVersion: 1, credentials, parameters: { resource: 'message', operation: 'send', messageType: 'text', content: 'one', toUsers: ['zhangsan'] } });
		expect(wecom.gettokenCalls).toBe(1);
		// Another file of the package (the shared helpers) builds its own channel for the same app.
		const core = require(built('dist/shared/core.js'));
		const { n8nChannelDeps } = require(built('dist/nodes/shared/channel-deps.js'));
		const fetchHelper = { httpRequest: async (o: { url: string; method?: string; body?: unknown; headers?: Record<string, string> }) => {
			const res = await fetch(o.url, { method: o.method, body: o.body as string, headers: o.headers });
			return { statusCode: res.status, headers: Object.fromEntries(res.headers.entries()), body: Buffer.from(await res.arrayBuffer()) };
		} };
		const channel = core.createChannel({ type: 'wecom-app', baseUrl: wecom.url, corpId: wecom.corpId, corpSecret: wecom.corpSecret, agentId: wecom.agentId }, n8nChannelDeps(fetchHelper));
		await channel.send({ content: 'two', to: { users: ['zhangsan'] } });
		expect(wecom.delivered).toHaveLength(2);
		expect(wecom.gettokenCalls).toBe(1);
	});
});
