// Bundles every n8n node and credential entry into dist/ with the core inlined.
// n8n-workflow stays external (n8n provides it); the core's server transports (axios, node:http) are replaced by a stub
// because inside n8n every request goes through n8n's own request helpers.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

function walk(dir, match) {
	const out = [];
	for (const name of readdirSync(dir)) {
		const full = join(dir, name);
		if (statSync(full).isDirectory()) out.push(...walk(full, match));
		else if (match(name)) out.push(full);
	}
	return out;
}

const entries = [
	...walk(join(root, 'nodes'), (n) => n.endsWith('.node.ts')),
	...walk(join(root, 'credentials'), (n) => n.endsWith('.credentials.ts')),
];

const axiosStub = {
	name: 'axios-transport-stub',
	setup(b) {
		b.onResolve({ filter: /[\\/](axios|node-http)-transport$/ }, () => ({ path: join(root, 'scripts', 'server-transport-stub.js') }));
		b.onResolve({ filter: /^axios$/ }, (args) => {
			throw new Error(`axios must not be bundled into the n8n package (imported from ${relative(root, args.importer)})`);
		});
	},
};

rmSync(dist, { recursive: true, force: true });
const started = Date.now();
await build({
	entryPoints: entries,
	outdir: dist,
	outbase: root,
	bundle: true,
	platform: 'node',
	format: 'cjs',
	target: 'node20',
	external: ['n8n-workflow'],
	plugins: [axiosStub],
	keepNames: true,
	sourcemap: false,
	logLevel: 'warning',
});

// Codex files (categories, docs links) sit next to each compiled node.
for (const codex of walk(join(root, 'nodes'), (n) => n.endsWith('.node.json'))) {
	const target = join(dist, relative(root, codex));
	mkdirSync(dirname(target), { recursive: true });
	copyFileSync(codex, target);
}

for (const file of walk(dist, (n) => n.endsWith('.js'))) {
	if (/require\(["']axios["']\)/.test(readFileSync(file, 'utf8'))) throw new Error(`${file} requires axios`);
}
console.log(`built ${entries.length} entries into dist/ in ${Date.now() - started} ms`);
