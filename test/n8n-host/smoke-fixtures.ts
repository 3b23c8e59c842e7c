/**
 * Fixtures for smoke.host.test.ts: a recording HTTP server on 127.0.0.1 and a throwaway
 * community package (plain JS, no build step) packed as an npm-style tarball.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';

export interface RecordedRequest {
	method: string;
	url: string;
	headers: http.IncomingHttpHeaders;
	body: string;
	json?: any;
}

export interface Recorder {
	url: string;
	requests: RecordedRequest[];
	/** Resolves with the first recorded request matching `pred` (waits up to timeoutMs). */
	waitFor(pred: (r: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
	close(): Promise<void>;
}

/**
 * Answers GET /ping (200 with `Authorization: Bearer good-token`, else 401),
 * GET /channels (two options) and echoes everything else as JSON.
 */
export async function startRecorder(): Promise<Recorder> {
	const requests: RecordedRequest[] = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const body = Buffer.concat(chunks).toString('utf8');
			let json: unknown;
			try {
				json = body ? JSON.parse(body) : undefined;
			} catch {
				json = undefined;
			}
			requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, json });
			const send = (status: number, payload: unknown) => {
				res.writeHead(status, { 'content-type': 'application/json' });
				res.end(JSON.stringify(payload));
			};
			if (req.url === '/ping') {
				return req.headers.authorization === 'Bearer good-token' ? send(200, { ok: true }) : send(401, { ok: false });
			}
			if (req.url === '/channels') {
				return send(200, [
					{ id: 'c1', title: 'General' },
					{ id: 'c2', title: 'Alerts' },
				]);
			}
			send(200, { ok: true, path: req.url, echoed: json ?? body });
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;

	return {
		url: `http://127.0.0.1:${port}`,
		requests,
		async waitFor(pred, timeoutMs = 30_000) {
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				const hit = requests.find(pred);
				if (hit) return hit;
				if (Date.now() > deadline) throw new Error(`recorder: no matching request; saw ${requests.map((r) => `${r.method} ${r.url}`).join(', ')}`);
				await new Promise((r) => setTimeout(r, 100));
			}
		},
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}

const NODE_JS = `"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.SmokeEcho = void 0;
const n8n_workflow_1 = require("n8n-workflow");
class SmokeEcho {
	constructor() {
		this.description = {
			displayName: "Smoke Echo",
			name: "smokeEcho",
			group: ["transform"],
			version: 1,
			subtitle: "echo",
			description: "Posts each item to {baseUrl}/echo and returns the answer",
			defaults: { name: "Smoke Echo" },
			inputs: [n8n_workflow_1.NodeConnectionTypes.Main],
			outputs: [n8n_workflow_1.NodeConnectionTypes.Main],
			credentials: [{ name: "smokeApi", required: true }],
			properties: [
				{ displayName: "Greeting", name: "greeting", type: "string", default: "hello" },
				{ displayName: "Channel", name: "channel", type: "options", typeOptions: { loadOptionsMethod: "getChannels" }, default: "" },
			],
		};
		this.methods = {
			loadOptions: {
				async getChannels() {
					const creds = await this.getCredentials("smokeApi");
					const list = await this.helpers.httpRequestWithAuthentication.call(this, "smokeApi", { method: "GET", url: creds.baseUrl + "/channels", json: true });
					return list.map((c) => ({ name: c.title, value: c.id }));
				},
			},
		};
	}
	async execute() {
		const items = this.getInputData();
		const creds = await this.getCredentials("smokeApi");
		const out = [];
		for (let i = 0; i < items.length; i++) {
			const greeting = this.getNodeParameter("greeting", i);
			const answer = await this.helpers.httpRequestWithAuthentication.call(this, "smokeApi", {
				method: "POST", url: creds.baseUrl + "/echo", body: { greeting, itemIndex: i }, json: true,
			});
			out.push({ json: { greeting, answer }, pairedItem: { item: i } });
		}
		return [out];
	}
}
exports.SmokeEcho = SmokeEcho;
`;

const CREDENTIAL_JS = `"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.SmokeApi = void 0;
class SmokeApi {
	constructor() {
		this.name = "smokeApi";
		this.displayName = "Smoke API";
		this.documentationUrl = "https://example.test/docs";
		this.properties = [
			{ displayName: "Base URL", name: "baseUrl", type: "string", default: "" },
			{ displayName: "Token", name: "token", type: "string", typeOptions: { password: true }, default: "" },
		];
		this.authenticate = { type: "generic", properties: { headers: { Authorization: "=Bearer {{$credentials.token}}" } } };
		this.test = { request: { baseURL: "={{$credentials.baseUrl}}", url: "/ping", method: "GET" } };
	}
}
exports.SmokeApi = SmokeApi;
`;

export const SMOKE_PACKAGE = 'n8n-nodes-wxnotify-smoke';

/** Writes the throwaway package and packs it (npm pack layout: `package/…`). Returns the .tgz path. */
export function buildSmokePackage(): { tarball: string; dir: string } {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxnotify-smokepkg-'));
	const pkgDir = path.join(dir, 'package');
	const files: Record<string, string> = {
		'package.json': JSON.stringify(
			{
				name: SMOKE_PACKAGE,
				version: '0.0.1',
				license: 'MIT',
				keywords: ['n8n-community-node-package'],
				files: ['dist'],
				n8n: {
					n8nNodesApiVersion: 1,
					credentials: ['dist/credentials/SmokeApi.credentials.js'],
					nodes: ['dist/nodes/SmokeEcho/SmokeEcho.node.js'],
				},
				peerDependencies: { 'n8n-workflow': '*' },
			},
			null,
			2,
		),
		'dist/nodes/SmokeEcho/SmokeEcho.node.js': NODE_JS,
		'dist/credentials/SmokeApi.credentials.js': CREDENTIAL_JS,
	};
	for (const [rel, text] of Object.entries(files)) {
		fs.mkdirSync(path.dirname(path.join(pkgDir, rel)), { recursive: true });
		fs.writeFileSync(path.join(pkgDir, rel), text);
	}
	const tarball = path.join(dir, `${SMOKE_PACKAGE}-0.0.1.tgz`);
	const res = spawnSync('tar', ['-czf', tarball, '-C', dir, 'package'], { encoding: 'utf8' });
	if (res.status !== 0) throw new Error(`tar failed: ${res.stderr}`);
	return { tarball, dir };
}
