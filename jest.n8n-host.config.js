/**
 * Jest config for the real-n8n host suites (test/n8n-host/**\/*.host.test.ts).
 * Run: npx jest -c jest.n8n-host.config.js
 * globalSetup installs Node 24 + n8n into a cache outside the repo (about 5 min once, then instant).
 */
/** @type {import('jest').Config} */
module.exports = {
	displayName: 'n8n-host',
	rootDir: __dirname,
	roots: ['<rootDir>/test/n8n-host'],
	testMatch: ['**/*.host.test.ts'],
	testEnvironment: 'node',
	transform: {
		'^.+\\.ts$': [
			'ts-jest',
			{
				tsconfig: {
					module: 'commonjs',
					target: 'es2022',
					lib: ['es2022'],
					strict: true,
					esModuleInterop: true,
					skipLibCheck: true,
					types: ['node', 'jest'],
				},
			},
		],
	},
	moduleFileExtensions: ['ts', 'js', 'json'],
	globalSetup: '<rootDir>/test/n8n-host/global-setup.ts',
	testTimeout: 300000,
	maxWorkers: 1,
	verbose: true,
};
