import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { escapeIdentifier } from 'pg';
import { isAlive, startEmbeddedPostgres } from '../src/database/embedded-postgres';
import globalTeardown, { type TestServer } from './global-teardown';
import { prepareTemplateDatabase } from './utils/prepare-template';
import { databaseUrl, freePort, withClient } from './utils/test-database';

/**
 * Once per jest run: a PostgreSQL server (DATABASE_URL, or an embedded one in a fresh temp dir)
 * and a prepared template database that createTestDatabase() clones. Workers are started after
 * this runs, so they inherit the TENANTRY_TEST_* variables. The pgbouncer project's setup calls it too:
 * the second call finds the server running and does nothing.
 */
export default async function globalSetup(): Promise<void> {
  if (globalThis.__TENANTRY_TEST_SERVER__) return;
  const runId = randomBytes(4).toString('hex');
  const templateDb = `tenantry_template_${runId}`;
  try {
    const embedded = process.env.DATABASE_URL ? undefined : await startEmbeddedServer();
    const admin = process.env.DATABASE_URL || embedded!.handle.url;
    globalThis.__TENANTRY_TEST_SERVER__ = { adminUrl: admin, runId, templateDb, embedded };
    await withClient(admin, (client) => client.query(`CREATE DATABASE ${escapeIdentifier(templateDb)}`));
    await prepareTemplateDatabase(databaseUrl(admin, templateDb));
    // Cloning fails while anyone is connected to the template (SQLSTATE 55006), so close it.
    await withClient(admin, async (client) => {
      await client.query(`ALTER DATABASE ${escapeIdentifier(templateDb)} ALLOW_CONNECTIONS false`);
      await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [templateDb]);
    });
    process.env.TENANTRY_TEST_ADMIN_URL = admin;
    process.env.TENANTRY_TEST_TEMPLATE_DB = templateDb;
    process.env.TENANTRY_TEST_RUN_ID = runId;
  } catch (err) {
    // Jest skips global teardown when global setup fails.
    await globalTeardown().catch(() => undefined);
    throw err;
  }
}

async function startEmbeddedServer(): Promise<NonNullable<TestServer['embedded']>> {
  await removeAbandonedServers();
  const dataDir = path.join(os.tmpdir(), `tenantry-test-${process.pid}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  return { handle: await startEmbeddedPostgres({ dataDir, port: await freePort() }), dataDir };
}

/**
 * The embedded server is detached from jest (see embedded-postgres.ts), so a run that was killed
 * (Ctrl-C, CI timeout) before its teardown leaves it running. Stop and delete those whose jest
 * process is gone.
 */
async function removeAbandonedServers(): Promise<void> {
  for (const name of fs.readdirSync(os.tmpdir())) {
    const owner = /^tenantry-test-(\d+)(?:[.-].*)?$/.exec(name);
    if (!owner || isAlive(Number(owner[1]))) continue;
    const dataDir = path.join(os.tmpdir(), name);
    try {
      const pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      // Only signal it if it really is the postgres of that directory (pids get reused).
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(dataDir)) {
        process.kill(pid, 'SIGQUIT'); // immediate shutdown; postgres removes its pid file last
        const pidFile = path.join(dataDir, 'postmaster.pid');
        for (let i = 0; i < 50 && fs.existsSync(pidFile); i++) await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } catch {
      // no pid file, or the process is gone
    }
    try {
      // The pgbouncer project's PgBouncer (test/pgbouncer-global-setup.ts), if the run died before stopping it.
      const pid = Number(fs.readFileSync(path.join(dataDir, 'pgbouncer.pid'), 'utf8').trim());
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(path.join(dataDir, 'pgbouncer.ini'))) process.kill(pid, 'SIGTERM');
    } catch {
      // not a PgBouncer directory, or the process is gone
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

