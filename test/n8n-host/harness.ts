/**
 * Real n8n host harness: drives a real n8n (Node 24, installed by install-n8n.sh into a cache
 * folder outside the repo) from Jest tests running on any Node >= 20.
 *
 * Every instance gets its own temporary N8N_USER_FOLDER (SQLite DB, config, community packages),
 * its own random encryption key and its own free loopback ports. All traffic stays on 127.0.0.1.
 * See README.md in this folder for the API.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { baseEnv } from './env';
import { hostPaths, isInstalled } from './install';
import {
	freePort,
	killGroup,
	liveChildren,
	LOOPBACK,
	n8nId,
	sleep,
	spawnReaper,
	streamsClosed,
	tail,
	waitForExit,
} from './processes';

export { ensureInstalled, hostPaths, isInstalled, N8N_VERSION, NODE_VERSION } from './install';
export type { HostPaths } from './install';
export { freePort, n8nId } from './processes';

const DEFAULT_CLI_TIMEOUT_MS = 180_000;

/* ------------------------------------------------------------------ types */

export interface CliResult {
	exitCode: number | null;
	stdout: string;
	stderr: string;
}

/** Loose shape of n8n's IRun (kept local so the harness does not depend on n8n-workflow). */
export interface N8nRun {
	status?: string;
	finished?: boolean;
	mode?: string;
	data: {
		resultData: {
			runData: Record<string, Array<N8nTaskData>>;
			error?: { message?: string; name?: string; [k: string]: unknown };
			lastNodeExecuted?: string;
		};
	};
	[k: string]: unknown;
}

export interface N8nTaskData {
	executionStatus?: string;
	error?: { message?: string; [k: string]: unknown };
	data?: { main?: Array<Array<{ json: Record<string, unknown>; [k: string]: unknown }> | null> };
	[k: string]: unknown;
}

export interface ExecuteResult extends CliResult {
	/** Parsed IRun, or undefined when stdout held no JSON document. */
	run?: N8nRun;
}

export interface CredentialImport {
	id?: string;
	name: string;
	type: string;
	/** Plain (unencrypted) data; `n8n import:credentials` encrypts it. */
	data: Record<string, unknown>;
	[k: string]: unknown;
}

export interface WorkflowImport {
	id?: string;
	name: string;
	nodes: unknown[];
	connections: Record<string, unknown>;
	[k: string]: unknown;
}

export interface RestResponse<T = any> {
	status: number;
	body: T;
	headers: Headers;
}

export interface CreateInstanceOptions {
	/** Path to an `npm pack` tarball; installed like n8n installs community packages. */
	packageTarball?: string;
	/** Extra env for every n8n process of this instance (applied last). */
	env?: Record<string, string>;
	/** Keep the user folder after dispose() (also: WXNOTIFY_N8N_KEEP=1). */
	keep?: boolean;
}

/* ------------------------------------------------------------------ instance */

export class N8nInstance {
	readonly userFolder: string;
	readonly encryptionKey = randomBytes(24).toString('hex');
	readonly owner = { email: 'owner@example.test', firstName: 'Test', lastName: 'Owner', password: 'Host-test-Passw0rd' };
	/** Names of installed community packages. */
	readonly packages: string[] = [];

	private server?: ChildProcess;
	private serverLog = '';
	private serverLogFile?: string;
	private port?: number;
	private cookie?: string;
	private readonly browserId = randomBytes(8).toString('hex');
	private fileSeq = 0;

	constructor(private readonly opts: CreateInstanceOptions = {}) {
		this.userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'wxnotify-n8n-'));
		fs.mkdirSync(path.join(this.userFolder, '.n8n'), { recursive: true });
	}

	/** Installs a community package tarball into <userFolder>/.n8n/nodes/node_modules/<name>. */
	installPackage(tarball: string): string {
		const staging = fs.mkdtempSync(path.join(this.userFolder, 'pkg-'));
		const res = spawnSync('tar', ['-xzf', path.resolve(tarball), '-C', staging, '--strip-components=1'], {
			encoding: 'utf8',
		});
		if (res.status !== 0) throw new Error(`[n8n-host] cannot extract ${tarball}: ${res.stderr}`);
		const pkg = JSON.parse(fs.readFileSync(path.join(staging, 'package.json'), 'utf8')) as { name?: string };
		if (!pkg.name) throw new Error(`[n8n-host] ${tarball} has no package name`);
		const target = path.join(this.userFolder, '.n8n', 'nodes', 'node_modules', ...pkg.name.split('/'));
		fs.rmSync(target, { recursive: true, force: true });
		fs.mkdirSync(path.dirname(target), { recursive: true });
		fs.renameSync(staging, target);
		this.packages.push(pkg.name);
		return pkg.name;
	}

	/** Environment used for every n8n process of this instance. */
	env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
		return { ...baseEnv(this.userFolder, this.encryptionKey), ...this.opts.env, ...extra };
	}

	/** Runs any n8n CLI command (e.g. ['list:workflow']) and collects its output. */
	async cli(args: string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliResult> {
		const p = hostPaths();
		if (!fs.existsSync(p.n8nBin)) throw new Error('[n8n-host] n8n is not installed; run ensureInstalled() first');
		const child = spawn(p.nodeBin, [p.n8nBin, ...args], {
			cwd: this.userFolder,
			env: this.env({ N8N_PORT: String(await freePort()), N8N_RUNNERS_BROKER_PORT: String(await freePort()), ...opts.env }),
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		});
		liveChildren.add(child);
		spawnReaper(child, this.keepFolder ? undefined : this.userFolder);
		let stdout = '';
		let stderr = '';
		child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
		child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
		const timeoutMs = opts.timeoutMs ?? DEFAULT_CLI_TIMEOUT_MS;
		try {
			const exited = await new Promise<boolean>((resolve, reject) => {
				child.once('error', reject);
				const timer = setTimeout(() => resolve(false), timeoutMs);
				child.once('exit', () => {
					clearTimeout(timer);
					resolve(true);
				});
			});
			if (!exited) {
				killGroup(child, 'SIGKILL');
				await waitForExit(child, 5000);
				throw new Error(`[n8n-host] n8n ${args.join(' ')} timed out after ${timeoutMs} ms\n${tail(stdout + stderr)}`);
			}
		} finally {
			// the command itself is done; make sure no task runner of its group survives
			killGroup(child, 'SIGKILL', true);
			liveChildren.delete(child);
		}
		await streamsClosed(child);
		fs.appendFileSync(
			path.join(this.userFolder, 'n8n-cli.log'),
			`$ n8n ${args.join(' ')}  (exit ${child.exitCode})\n${stdout}${stderr}\n`,
		);
		return { exitCode: child.exitCode, stdout, stderr };
	}

	private async cliOk(args: string[]): Promise<CliResult> {
		const res = await this.cli(args);
		if (res.exitCode !== 0) {
			throw new Error(`[n8n-host] n8n ${args.join(' ')} exited ${res.exitCode}\n${tail(res.stdout + res.stderr)}`);
		}
		return res;
	}

	private writeJson(prefix: string, data: unknown): string {
		const file = path.join(this.userFolder, `${prefix}-${++this.fileSeq}.json`);
		fs.writeFileSync(file, JSON.stringify(data, null, 2));
		return file;
	}

	/** `n8n import:credentials`; ids are generated when missing. Returns the credentials with ids. */
	async importCredentials(creds: CredentialImport[]): Promise<Array<CredentialImport & { id: string }>> {
		const withIds = creds.map((c) => ({ ...c, id: c.id ?? n8nId() }));
		await this.cliOk(['import:credentials', `--input=${this.writeJson('credentials', withIds)}`]);
		return withIds;
	}

	/** `n8n import:workflow` (always imported unpublished). Returns the workflow id. */
	async importWorkflow(workflow: WorkflowImport): Promise<string> {
		const wf = { active: false, settings: {}, ...workflow, id: workflow.id ?? n8nId() };
		await this.cliOk(['import:workflow', `--input=${this.writeJson('workflow', wf)}`]);
		return wf.id;
	}

	/**
	 * `n8n execute --id=<id> --rawOutput`: runs from the Manual Trigger as the owner.
	 * Exit code 0 means success; the IRun is parsed from the first stdout line that is exactly `{`.
	 * Safe while start() is running (each command gets its own task broker port).
	 */
	async execute(workflowId: string, opts: { timeoutMs?: number } = {}): Promise<ExecuteResult> {
		const res = await this.cli(['execute', `--id=${workflowId}`, '--rawOutput'], opts);
		const lines = res.stdout.split('\n');
		const start = lines.findIndex((l) => l.replace(/\r$/, '') === '{');
		let run: N8nRun | undefined;
		if (start >= 0) {
			const text = lines.slice(start).join('\n');
			const end = text.lastIndexOf('}');
			try {
				run = JSON.parse(text.slice(0, end + 1)) as N8nRun;
			} catch {
				run = undefined;
			}
		}
		return { ...res, run };
	}

	/** `n8n publish:workflow` (the 2.x activation). Publish before start(), or restart afterwards. */
	async publish(workflowId: string): Promise<void> {
		await this.cliOk(['publish:workflow', `--id=${workflowId}`]);
	}

	/* ---------------------------------------------------------------- server */

	get baseUrl(): string {
		if (this.port === undefined) throw new Error('[n8n-host] server not started');
		return `http://${LOOPBACK}:${this.port}`;
	}

	/**
	 * Production webhook URL.
	 * - `webhookUrl(webhookId, path)` → {base}/webhook/{webhookId}/{path}: trigger nodes whose webhook
	 *   description is not `isFullPath` (most service/community triggers). Put a fixed `webhookId` on the node.
	 * - `webhookUrl(path)` → {base}/webhook/{path}: `isFullPath` webhooks such as the built-in Webhook node
	 *   (its `path` parameter, which defaults to the node's webhookId).
	 */
	webhookUrl(webhookIdOrPath: string, webhookPath?: string): string {
		const strip = (s: string) => s.replace(/^\/+|\/+$/g, '');
		const tailPath = webhookPath === undefined ? strip(webhookIdOrPath) : `${webhookIdOrPath}/${strip(webhookPath)}`;
		return `${this.baseUrl}/webhook/${tailPath}`;
	}

	/** Server log so far (n8n start stdout+stderr). */
	get log(): string {
		return this.serverLog;
	}

	/** `n8n start` on a free loopback port; resolves when /healthz/readiness answers 200. */
	async start(opts: { timeoutMs?: number } = {}): Promise<void> {
		if (this.server) throw new Error('[n8n-host] already started');
		const p = hostPaths();
		this.port = await freePort();
		const base = `http://${LOOPBACK}:${this.port}/`;
		this.serverLog = '';
		this.serverLogFile = path.join(this.userFolder, 'n8n-start.log');
		const logStream = fs.createWriteStream(this.serverLogFile, { flags: 'a' });
		const child = spawn(p.nodeBin, [p.n8nBin, 'start'], {
			cwd: this.userFolder,
			env: this.env({
				N8N_PORT: String(this.port),
				N8N_RUNNERS_BROKER_PORT: String(await freePort()),
				N8N_WEBHOOK_URL: base,
				N8N_EDITOR_BASE_URL: base,
			}),
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		});
		this.server = child;
		liveChildren.add(child);
		spawnReaper(child, this.keepFolder ? undefined : this.userFolder);
		const onData = (d: string) => {
			this.serverLog += d;
			logStream.write(d);
		};
		child.stdout!.setEncoding('utf8').on('data', onData);
		child.stderr!.setEncoding('utf8').on('data', onData);
		child.once('exit', () => {
			logStream.end();
			liveChildren.delete(child);
		});

		const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
		try {
			for (;;) {
				if (child.exitCode !== null || child.signalCode !== null) {
					throw new Error(`[n8n-host] n8n start exited early (${child.exitCode ?? child.signalCode})`);
				}
				if (Date.now() > deadline) throw new Error('[n8n-host] n8n start: readiness timeout');
				// readiness comes before workflow activation; n8n prints the editor URL after it
				if (this.serverLog.includes('Editor is now accessible via')) {
					try {
						const res = await fetch(`${base}healthz/readiness`, { signal: AbortSignal.timeout(2000) });
						if (res.status === 200) return;
					} catch {
						/* not listening yet */
					}
				}
				await sleep(250);
			}
		} catch (err) {
			await this.stop();
			(err as Error).message += `\n${tail(this.serverLog)}`;
			throw err;
		}
	}

	/**
	 * Waits until a production webhook is registered, without triggering it: polls a CORS preflight
	 * (OPTIONS + Origin) which n8n answers 204 for a registered path and 404/500 otherwise.
	 * Published workflows are activated asynchronously, shortly after start() resolves.
	 */
	async waitForWebhook(url: string, opts: { method?: string; timeoutMs?: number } = {}): Promise<void> {
		if (!url.startsWith(`${this.baseUrl}/`)) throw new Error(`[n8n-host] not a URL of this instance: ${url}`);
		const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
		let last = 0;
		while (Date.now() < deadline) {
			const res = await fetch(url, {
				method: 'OPTIONS',
				headers: { origin: this.baseUrl, 'access-control-request-method': opts.method ?? 'POST' },
				signal: AbortSignal.timeout(5000),
			});
			last = res.status;
			if (res.status >= 200 && res.status < 300) return;
			await sleep(250);
		}
		throw new Error(`[n8n-host] webhook not registered (last OPTIONS status ${last}): ${url}\n${tail(this.serverLog)}`);
	}

	/** SIGTERM the server's process group, wait (then SIGKILL after timeoutMs). */
	async stop(opts: { timeoutMs?: number } = {}): Promise<void> {
		const child = this.server;
		if (!child) return;
		killGroup(child, 'SIGTERM');
		if (!(await waitForExit(child, opts.timeoutMs ?? 20_000))) {
			killGroup(child, 'SIGKILL');
			await waitForExit(child, 5000);
		}
		killGroup(child, 'SIGKILL', true); // leftover task runners of the group
		liveChildren.delete(child);
		this.server = undefined;
		this.cookie = undefined;
	}

	get running(): boolean {
		return this.server !== undefined;
	}

	/* ---------------------------------------------------------------- REST */

	/** JSON request to the running instance (loopback only), with the login cookie when present. */
	async request<T = any>(method: string, urlPath: string, body?: unknown, headers: Record<string, string> = {}): Promise<RestResponse<T>> {
		// One retry when n8n closed an idle keep-alive socket just as it was reused (seen under load);
		// the request never reached n8n then.
		const send = () => fetch(`${this.baseUrl}${urlPath}`, {
			method,
			headers: {
				'browser-id': this.browserId,
				...(body !== undefined ? { 'content-type': 'application/json' } : {}),
				...(this.cookie ? { cookie: this.cookie } : {}),
				...headers,
			},
			body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
			signal: AbortSignal.timeout(60_000),
		});
		const res = await send().catch((error: Error & { cause?: { code?: string } }) => {
			if (error.cause?.code !== 'UND_ERR_SOCKET') throw error;
			return send();
		});
		const text = await res.text();
		let parsed: unknown = text;
		try {
			parsed = text ? JSON.parse(text) : undefined;
		} catch {
			/* not JSON: keep the text */
		}
		return { status: res.status, body: parsed as T, headers: res.headers };
	}

	private keepCookie(res: RestResponse): void {
		const setCookie = res.headers.getSetCookie?.() ?? [];
		const auth = setCookie.find((c) => c.startsWith('n8n-auth='));
		if (auth) this.cookie = auth.split(';')[0];
	}

	/** Creates the owner on first call (POST /rest/owner/setup), logs in otherwise. Keeps the cookie. */
	async login(): Promise<void> {
		if (this.cookie) return;
		let res = await this.request('POST', '/rest/owner/setup', this.owner);
		if (res.status !== 200) {
			res = await this.request('POST', '/rest/login', {
				emailOrLdapLoginId: this.owner.email,
				password: this.owner.password,
			});
		}
		if (res.status !== 200) throw new Error(`[n8n-host] login failed: ${res.status} ${JSON.stringify(res.body)}`);
		this.keepCookie(res);
		if (!this.cookie) throw new Error('[n8n-host] login returned no n8n-auth cookie');
	}

	/**
	 * POST /rest/credentials/test → e.g. { status: 'OK', message: 'Connection successful!' }.
	 * `id` must be an existing (imported) credential; `data` is what gets tested (it may differ from the stored data).
	 */
	async testCredential(credentials: { id: string; name: string; type: string; data: Record<string, unknown> }) {
		await this.login();
		const res = await this.request<{ data: { status: string; message: string } }>('POST', '/rest/credentials/test', {
			credentials,
		});
		if (res.status !== 200) throw new Error(`[n8n-host] credentials/test: ${res.status} ${JSON.stringify(res.body)}`);
		return res.body.data;
	}

	/** POST /rest/dynamic-node-parameters/options (a loadOptions method) → the options array. */
	async loadOptions(body: {
		path: string;
		nodeTypeAndVersion: { name: string; version: number };
		methodName: string;
		currentNodeParameters?: Record<string, unknown>;
		credentials?: Record<string, { id: string; name: string }>;
	}) {
		await this.login();
		const res = await this.request<{ data: Array<{ name: string; value: string | number }> }>(
			'POST',
			'/rest/dynamic-node-parameters/options',
			{ currentNodeParameters: {}, ...body },
		);
		if (res.status !== 200) throw new Error(`[n8n-host] loadOptions: ${res.status} ${JSON.stringify(res.body)}`);
		return res.body.data;
	}

	/** GET /types/nodes.json: the node types the running instance registered. */
	async nodeTypes(): Promise<Array<{ name: string; version: number | number[]; [k: string]: unknown }>> {
		const res = await this.request('GET', '/types/nodes.json');
		return res.body;
	}

	private get keepFolder(): boolean {
		return this.opts.keep === true || process.env.WXNOTIFY_N8N_KEEP === '1';
	}

	/** Stops the server, kills leftovers and removes the user folder (unless kept). */
	async dispose(): Promise<void> {
		await this.stop();
		if (this.keepFolder) {
			process.stderr.write(`[n8n-host] kept user folder ${this.userFolder}\n`);
		} else {
			fs.rmSync(this.userFolder, { recursive: true, force: true });
		}
	}
}

/** A fresh n8n instance (empty user folder; optional community package installed). */
export async function createInstance(opts: CreateInstanceOptions = {}): Promise<N8nInstance> {
	if (!isInstalled()) throw new Error('[n8n-host] n8n is not installed; run test/n8n-host/install-n8n.sh');
	const instance = new N8nInstance(opts);
	try {
		if (opts.packageTarball) instance.installPackage(opts.packageTarball);
	} catch (err) {
		await instance.dispose();
		throw err;
	}
	return instance;
}

/* ------------------------------------------------------------------ run helpers */

/** JSON of the items a node produced on one output of its last run. */
export function nodeOutput(run: N8nRun | undefined, nodeName: string, output = 0): Array<Record<string, unknown>> {
	const tasks = run?.data?.resultData?.runData?.[nodeName];
	if (!tasks?.length) return [];
	const items = tasks[tasks.length - 1].data?.main?.[output] ?? [];
	return items.map((i) => i.json);
}

/** Names of nodes that ran, in run-data order. */
export function executedNodes(run: N8nRun | undefined): string[] {
	return Object.keys(run?.data?.resultData?.runData ?? {});
}
