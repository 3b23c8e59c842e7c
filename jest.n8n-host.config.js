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
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }] },
	// The fakes import the core by its package name, as the fast suites map it.
	moduleNameMapper: { '^@wxnotify/core$': '<rootDir>/core/src/index.ts' },
	moduleFileExtensions: ['ts', 'js', 'json'],
	globalSetup: '<rootDir>/test/n8n-host/global-setup.ts',
	testTimeout: 300000,
	maxWorkers: 1,
	verbose: true,
};
