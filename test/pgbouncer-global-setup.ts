import * as fs from 'node:fs';
import globalSetup from './global-setup';
import globalTeardown from './global-teardown';
import { findPgbouncer, pgbouncerDir, startPgbouncer, type PgbouncerHandle } from './utils/pgbouncer';

declare global {
  var __TENANTRY_TEST_PGBOUNCER__: PgbouncerHandle | undefined;
}

/**
 * For the `pgbouncer` jest project (jest.config.js): PgBouncer in transaction mode in front of the run's
 * PostgreSQL, which the e2e project's setup shares (whichever runs first starts it; both run in this
 * process). The test apps then connect through PgBouncer (buildApp in test/utils/test-app.ts).
 */
export default async function pgbouncerGlobalSetup(): Promise<void> {
  const binary = findPgbouncer();
  if (!binary) throw new Error('pgbouncer is not installed (jest.config.js selects this project only when it is)');
  await globalSetup();
  try {
    const handle = await startPgbouncer(binary, globalThis.__TENANTRY_TEST_SERVER__!.adminUrl, pgbouncerDir());
    globalThis.__TENANTRY_TEST_PGBOUNCER__ = handle;
    process.env.TENANTRY_TEST_PGBOUNCER_URL = handle.url;
  } catch (error) {
    await globalTeardown().catch(() => undefined);
    throw error;
  }
}

/** Stops PgBouncer, then the server unless the e2e project's teardown already has. */
export async function stopTestPgbouncer(): Promise<void> {
  const handle = globalThis.__TENANTRY_TEST_PGBOUNCER__;
  globalThis.__TENANTRY_TEST_PGBOUNCER__ = undefined;
  if (handle) {
    await handle.stop();
    fs.rmSync(handle.dir, { recursive: true, force: true });
  }
  await globalTeardown();
}
