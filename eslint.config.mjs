import { config } from '@n8n/node-cli/eslint';
import { globalIgnores } from 'eslint/config';

// The package shares the repository root with the core, the NestJS module and the tests; only the
// n8n sources (nodes, credentials, package.json) are community-node code. The core is bundled into
// dist by scripts/build-n8n.mjs.
export default [
	globalIgnores([
		'core/**',
		'nest-module/**',
		'test/**',
		'bench/**',
		'scripts/**',
		'docs/**',
		'gateway/**',
		'dist/**',
		'**/*.js',
		'**/*.mjs',
	]),
	...config,
];
