// Two projects: fast unit tests beside the code, and integration/e2e suites under test/ that need the
// local cluster and dependencies (`make test` starts them first).
// The web app's components (frontend/, .tsx) with React's automatic JSX runtime; their tests run in jsdom
// (a `@jest-environment jsdom` docblock in each file).
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2023' } }],
  '^.+\\.tsx$': [
    '@swc/jest',
    { jsc: { parser: { syntax: 'typescript', tsx: true }, target: 'es2023', transform: { react: { runtime: 'automatic' } } } },
  ],
};
const common = {
  transform,
  extensionsToTreatAsEsm: ['.ts', '.tsx'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
};

export default {
  // Jest reads the sequencer only at the top level: suites that restart the API server run last.
  testSequencer: '<rootDir>/test/support/sequencer.js',
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/operator/**/*.test.ts',
        '<rootDir>/workloads/**/*.test.ts',
        '<rootDir>/test/support/**/*.test.ts',
        '<rootDir>/frontend/**/*.test.{ts,tsx}',
      ],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      slowTestThreshold: 30,
    },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'], slowTestThreshold: 120 },
  ],
};
