// @ts-check
// ES-module-only packages that jest must compile to CommonJS (see test/jest/esm-to-cjs.js).
const esmPackages = ['@nestjs'];

/** @type {import('jest').Config} */
const common = {
  testEnvironment: 'node',
  testTimeout: 30_000,
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Build output and the embedded PostgreSQL data directory are not test sources.
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.data/'],
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      {
        // Full (type-checked) compilation, not isolatedModules: the swagger plugin needs a Program.
        astTransformers: {
          before: [
            {
              path: '<rootDir>/test/jest/swagger-plugin.js',
              options: { introspectComments: true, classValidatorShim: true, dtoFileNameSuffix: ['.dto.ts'] },
            },
          ],
        },
        // 151002 warns that module "node20" needs isolatedModules; ts-jest emits CommonJS
        // (what node20 produces for this package) and adapts moduleResolution by itself.
        diagnostics: { ignoreCodes: [151002] },
      },
    ],
    [`/node_modules/(${esmPackages.join('|')})/.+\\.js$`]: '<rootDir>/test/jest/esm-to-cjs.js',
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
};

// The suites that run a second time with the app connected through PgBouncer in transaction mode
// (test/pgbouncer-global-setup.ts). Without pgbouncer installed they are skipped, except in CI.
const throughPgbouncer = ['auth', 'admin', 'domain/targets', 'domain/jobs', 'domain/worker-protocol', 'domain/claim-plan', 'multi-instance', 'statement-timeout', 'job-log-stream', 'lifecycle/soft-delete', 'domain/schedules'];
const pgbouncerInstalled = require('node:child_process')
  .spawnSync('sh', ['-c', 'PATH="$PATH:/usr/sbin:/usr/local/sbin" command -v pgbouncer'], { stdio: 'ignore' }).status === 0;
if (!pgbouncerInstalled) {
  const message = `pgbouncer is not installed: the ${throughPgbouncer.length} suites that run through PgBouncer are skipped (apt-get install pgbouncer)`;
  if (process.env.CI === 'true') throw new Error(`${message}; CI=true requires them`);
  console.warn(`\n${message}\n`);
}

/** @type {import('jest').Config} */
module.exports = {
  maxWorkers: 2,
  testTimeout: 30_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      // Project-level: runs once per jest run, and only when e2e tests are selected.
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
    },
    ...(pgbouncerInstalled
      ? [
          {
            ...common,
            displayName: 'pgbouncer',
            testMatch: throughPgbouncer.map((file) => `<rootDir>/test/${file}.e2e-spec.ts`),
            // Read by buildApp (test/utils/test-app.ts): this project's apps connect through PgBouncer.
            globals: { TENANTRY_THROUGH_PGBOUNCER: true },
            globalSetup: '<rootDir>/test/pgbouncer-global-setup.ts',
            globalTeardown: '<rootDir>/test/pgbouncer-global-teardown.ts',
          },
        ]
      : []),
  ],
};
