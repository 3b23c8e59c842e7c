/**
 * Builds and packs n8n-nodes-wxnotify for the real-host suite, and small helpers to write its
 * workflows (additive to the harness; the harness itself is untouched).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const PACKAGE = 'n8n-nodes-wxnotify';
const ROOT = path.resolve(__dirname, '..', '..');

/** `npm run build:n8n` then `npm pack` into a temp folder; returns the tarball path. */
export function buildAndPackWxnotify(): { tarball: string; dir: string } {
	const build = spawnSync('npm', ['run', 'build:n8n', '--silent'], { cwd: ROOT, encoding: 'utf8' });
	if (build.status !== 0) throw new Error(`build:n8n failed\n${build.stdout}\n${build.stderr}`);
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wxnotify-pack-'));
	const pack = spawnSync('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' });
	if (pack.status !== 0) throw new Error(`npm pack failed\n${pack.stdout}\n${pack.stderr}`);
	const tarball = path.join(dir, pack.stdout.trim().split('\n').pop()!.trim());
	if (!fs.existsSync(tarball)) throw new Error(`npm pack did not produce ${tarball}`);
	return { tarball, dir };
}

export type CredentialRef = Record<string, { id: string; name: string }>;

let column = 0;

/** A node of the package (`n8n-nodes-wxnotify.<type>`). */
export function wx(name: string, type: string, parameters: Record<string, unknown>, credentials?: CredentialRef, extra: Record<string, unknown> = {}) {
	column += 1;
	return {
		id: `${name.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase()}-id`,
		name,
		type: `${PACKAGE}.${type}`,
		typeVersion: 1,
		position: [200 * (column % 8), 160 * Math.floor(column / 8)],
		parameters,
		...(credentials ? { credentials } : {}),
		...extra,
	};
}

export function builtin(name: string, type: string, typeVersion: number, parameters: Record<string, unknown>) {
	column += 1;
	return { id: `${name.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase()}-id`, name, type: `n8n-nodes-base.${type}`, typeVersion, position: [0, 160 * column], parameters };
}

/** connections: from → [to...] (main output 0). */
export function connect(edges: Array<[string, string]>): Record<string, unknown> {
	const out: Record<string, { main: Array<Array<{ node: string; type: 'main'; index: number }>> }> = {};
	for (const [from, to] of edges) {
		out[from] ??= { main: [[]] };
		out[from].main[0].push({ node: to, type: 'main', index: 0 });
	}
	return out;
}

/** The part of the harness the helpers below need (structural, so this file imports no values from it). */
interface RestClient {
	login(): Promise<void>;
	request<T = unknown>(method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: T }>;
}

/**
 * POST /rest/dynamic-node-parameters/resource-locator-results (a listSearch method, what the
 * editor calls for a resource locator's "From list" mode) → { results, paginationToken? }.
 */
export async function resourceLocatorResults(
	n8n: RestClient,
	body: {
		path: string;
		nodeTypeAndVersion: { name: string; version: number };
		methodName: string;
		filter?: string;
		currentNodeParameters?: Record<string, unknown>;
		credentials?: Record<string, { id: string; name: string }>;
	},
): Promise<{ results: Array<{ name: string; value: string | number; url?: string }>; paginationToken?: unknown }> {
	await n8n.login();
	const res = await n8n.request<{ data: { results: Array<{ name: string; value: string | number }>; paginationToken?: unknown } }>(
		'POST',
		'/rest/dynamic-node-parameters/resource-locator-results',
		{ currentNodeParameters: {}, ...body },
	);
	if (res.status !== 200) throw new Error(`[n8n-host] resource-locator-results: ${res.status} ${JSON.stringify(res.body)}`);
	return res.body.data;
}
