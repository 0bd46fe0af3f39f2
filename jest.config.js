/** Jest runs TypeScript sources through swc (no type check: `npm run typecheck` does that). */
const workspaces = [
  'contracts',
  'config',
  'telemetry',
  'results',
  'queue',
  'models',
  'catalog',
  'client',
];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, sourceMaps: 'inline' }],
  },
  testMatch: [
    '<rootDir>/{apps,packages}/*/{src,test}/**/*.test.ts',
    '<rootDir>/test/**/*.test.ts',
    '<rootDir>/examples/**/*.test.ts',
  ],
  // Slow fault-injection tests and the soak (test/faults/*.fault.test.ts) run only under
  // `npm run test:faults`, which sets OPENAD_FAULT_TESTS=1.
  testPathIgnorePatterns: [
    '/node_modules/',
    '/dist/',
    ...(process.env.OPENAD_FAULT_TESTS === '1' ? [] : ['\\.fault\\.test\\.ts$']),
  ],
  // Tests import sibling packages from source so one copy of each class exists per test run.
  moduleNameMapper: Object.fromEntries(
    workspaces.map((w) => [`^@openad-async/${w}$`, `<rootDir>/packages/${w}/src/index.ts`]),
  ),
  testTimeout: 30000,
  maxWorkers: 2,
};
