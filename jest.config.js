// ESM jest: middy >= 5 ships only ESM, so tests run under --experimental-vm-modules.
const transform = { '^.+\\.ts$': ['ts-jest', { useESM: true }] };
const common = { preset: 'ts-jest/presets/default-esm', testEnvironment: 'node', transform };

/** @type {import('jest').Config} */
export default {
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'unit', roots: ['<rootDir>/test/unit'], testMatch: ['**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      // test/browser: the console in Chromium, against the same stack (one start for both).
      roots: ['<rootDir>/test/integration', '<rootDir>/test/browser'],
      testMatch: ['**/*.test.ts'],
      // One local stack (dynalite, local STS, serverless-offline) for every HTTP test file.
      globalSetup: '<rootDir>/test/support/global-setup.mjs',
      globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
    },
  ],
};
