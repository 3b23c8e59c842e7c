/**
 * Fast suites (everything except the real n8n host, which has its own config).
 * Run with `npm test`; the ESM project (NestJS 12 is ESM-only) needs --experimental-vm-modules,
 * which the npm script sets.
 */
const coreMapper = {
  '^@wxnotify/core$': '<rootDir>/core/src/index.ts',
  '^@wxnotify/core/axios$': '<rootDir>/core/src/transport/axios-transport.ts',
};

const cjsProject = (name, roots) => ({
  displayName: name,
  testEnvironment: 'node',
  rootDir: __dirname,
  roots,
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }] },
  moduleNameMapper: coreMapper,
});

module.exports = {
  testTimeout: 30000,
  projects: [
    cjsProject('core', ['<rootDir>/test/core']),
  ],
};
