import { ensureInstalled } from './harness';

/** Jest globalSetup: installs (or checks) Node 24 + n8n in the cache outside the repo. */
export default async function globalSetup(): Promise<void> {
	const started = Date.now();
	process.stderr.write('\n[n8n-host] checking the real n8n host install (cold install takes about 5 min) ...\n');
	const paths = ensureInstalled();
	process.stderr.write(`[n8n-host] host ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${paths.n8nDir}\n`);
}
