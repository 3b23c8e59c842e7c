/**
 * Fast suites (everything except the real n8n host, which has its own config).
 * `npm test` sets --experimental-vm-modules: NestJS 12 is ESM-only, so the nest and gateway
 * projects run as ESM and load the built core (core/dist, built by `pretest:fast`).
 */
const cjsProject = (name, roots) => ({
  displayName: name,
  testEnvironment: 'node',
  rootDir: __dirname,
  roots,
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }] },
  moduleNameMapper: {
    '^@wxnotify/core$': '<rootDir>/core/src/index.ts',
    '^@wxnotify/core/axios$': '<rootDir>/core/src/transport/axios-transport.ts',
    '^@wxnotify/core/node-http$': '<rootDir>/core/src/transport/node-http-transport.ts',
  },
});

const esmProject = (name, roots, tsconfig) => ({
  displayName: name,
  testEnvironment: 'node',
  rootDir: __dirname,
  roots,
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig, useESM: true }] },
  moduleNameMapper: {
    '^@wxnotify/core$': '<rootDir>/core/dist/index.js',
    '^@wxnotify/core/axios$': '<rootDir>/core/dist/transport/axios-transport.js',
    '^@wxnotify/core/node-http$': '<rootDir>/core/dist/transport/node-http-transport.js',
    '^@wxnotify/nestjs$': '<rootDir>/nest-module/src/index.ts',
    '^@wxnotify/nestjs/queue$': '<rootDir>/nest-module/src/queue/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
});

module.exports = {
  testTimeout: 30000,
  projects: [
    cjsProject('core', ['<rootDir>/test/core']),
    cjsProject('nodes', ['<rootDir>/test/nodes']),
    esmProject('nest', ['<rootDir>/test/nest'], '<rootDir>/test/nest/tsconfig.json'),
    esmProject('gateway', ['<rootDir>/test/gateway'], '<rootDir>/test/gateway/tsconfig.json'),
  ],
};
