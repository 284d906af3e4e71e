import * as fs from 'node:fs';
import { escapeIdentifier } from 'pg';
import type { EmbeddedPostgresHandle } from '../src/database/embedded-postgres';
import { withClient } from './utils/test-database';

/** What test/global-setup.ts started or created; jest runs both hooks in the same process. */
export interface TestServer {
  adminUrl: string;
  runId: string;
  templateDb: string;
  embedded?: { handle: EmbeddedPostgresHandle; dataDir: string };
}

declare global {
  var __TENANTRY_TEST_SERVER__: TestServer | undefined;
}

export default async function globalTeardown(): Promise<void> {
  const server = globalThis.__TENANTRY_TEST_SERVER__;
  globalThis.__TENANTRY_TEST_SERVER__ = undefined;
  if (!server) return;
  if (server.embedded) {
    // A throwaway server: no need to drop databases one by one.
    await server.embedded.handle.stop();
    fs.rmSync(server.embedded.dataDir, { recursive: true, force: true });
    return;
  }
  // A shared DATABASE_URL server: drop exactly what this run created.
  await withClient(server.adminUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2',
      [server.templateDb, `tenantry\\_test\\_${server.runId}\\_%`],
    );
    for (const { datname } of rows) {
      await client.query(`DROP DATABASE IF EXISTS ${escapeIdentifier(datname)} WITH (FORCE)`);
    }
  });
}
