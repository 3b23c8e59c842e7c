// Builds the n8n package into dist/ with ONE copy of the core: dist/shared/core.js. Every node file
// requires it (and the helpers in dist/nodes/shared/), so all nodes of the package share one module
// instance inside n8n: one token cache, one rate limiter, one pace per app for the whole process.
// n8n-workflow stays external (n8n provides it); the core's server transports (axios, node:http) are
// replaced by a stub because inside n8n every request goes through n8n's own request helpers.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// `--outdir <dir>` builds elsewhere (tests); the package itself ships dist/.
const outdirFlag = process.argv.indexOf('--outdir');
const dist = outdirFlag > 0 ? resolve(process.argv[outdirFlag + 1]) : join(root, 'dist');
const coreEntry = join(root, 'core', 'src', 'index.ts');
const coreOut = join(dist, 'shared', 'core.js');
const sharedDir = join(root, 'nodes', 'shared');

function walk(dir, match) {
	const out = [];
	for (const name of readdirSync(dir)) {
		const full = join(dir, name);
		if (statSync(full).isDirectory()) out.push(...walk(full, match));
		else if (match(name)) out.push(full);
	}
	return out;
}

/** Where esbuild writes a source file (outbase = root, .ts → .js). */
const outputOf = (source) => join(dist, relative(root, source)).replace(/\.ts$/, '.js');

/** A require() path from one output file to another, always starting with ./ or ../ */
function requirePath(fromOutput, toOutput) {
	const rel = relative(dirname(fromOutput), toOutput).split(sep).join('/');
	return rel.startsWith('.') ? rel : `./${rel}`;
}

const serverTransportStub = {
	name: 'server-transport-stub',
	setup(b) {
		b.onResolve({ filter: /[\\/](axios|node-http)-transport$/ }, () => ({ path: join(root, 'scripts', 'server-transport-stub.js') }));
		b.onResolve({ filter: /^axios$/ }, (args) => {
			throw new Error(`axios must not be bundled into the n8n package (imported from ${relative(root, args.importer)})`);
		});
	},
};

/** Keeps the core and the shared node helpers out of `entry`'s bundle: they are required from their own files. */
function sharedModulesExternal(entry) {
	const output = outputOf(entry);
	return {
		name: 'shared-modules-external',
		setup(b) {
			b.onResolve({ filter: /^\.\.?\// }, async (args) => {
				if (args.pluginData?.resolving) return undefined;
				const resolved = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: { resolving: true } });
				if (resolved.errors.length > 0) return undefined;
				if (resolved.path === coreEntry) return { path: requirePath(output, coreOut), external: true };
				if (dirname(resolved.path) === sharedDir && resolved.path !== entry) return { path: requirePath(output, outputOf(resolved.path)), external: true };
				return undefined;
			});
		},
	};
}

const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['n8n-workflow'], keepNames: true, sourcemap: false, logLevel: 'warning' };

const entries = [
	...walk(join(root, 'nodes'), (n) => n.endsWith('.node.ts')),
	...walk(sharedDir, (n) => n.endsWith('.ts')),
	...walk(join(root, 'credentials'), (n) => n.endsWith('.credentials.ts')),
];

rmSync(dist, { recursive: true, force: true });
const started = Date.now();
await Promise.all([
	build({ ...common, entryPoints: [coreEntry], outfile: coreOut, plugins: [serverTransportStub] }),
	...entries.map((entry) => build({ ...common, entryPoints: [entry], outfile: outputOf(entry), plugins: [sharedModulesExternal(entry), serverTransportStub] })),
]);

// Codex files (categories, aliases, docs links) sit next to each compiled node.
for (const codex of walk(join(root, 'nodes'), (n) => n.endsWith('.node.json'))) {
	const target = join(dist, relative(root, codex));
	mkdirSync(dirname(target), { recursive: true });
	copyFileSync(codex, target);
}

// The core class that owns the token flights must exist exactly once in the package.
let tokenCacheCopies = 0;
for (const file of walk(dist, (n) => n.endsWith('.js'))) {
	const code = readFileSync(file, 'utf8');
	if (/require\(["']axios["']\)/.test(code)) throw new Error(`${file} requires axios`);
	tokenCacheCopies += (code.match(/\bvar TokenCache = class\b|\bclass TokenCache\b/g) ?? []).length;
}
if (tokenCacheCopies !== 1) throw new Error(`expected one copy of the core in dist/, found ${tokenCacheCopies}`);
console.log(`built the core once and ${entries.length} entries into dist/ in ${Date.now() - started} ms`);
