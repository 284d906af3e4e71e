import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { redactUrl } from '../../src/database/database-connection';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';

export interface BenchDatabase {
  /** URL of the dedicated benchmark database. */
  url: string;
  description: string;
  /** Drops the database; stops and deletes the embedded PostgreSQL if this process started it. */
  close(): Promise<void>;
}

/**
 * `VACUUM (ANALYZE)` of the whole bench database, once its tenants and rows are in: creating 1,000 tenant
 * schemas leaves the catalogs and the new tables to autovacuum, which otherwise spends a second or more of
 * CPU inside one scenario's window some minutes later. Returns the seconds it took.
 */
export async function vacuumBenchDatabase(url: string): Promise<number> {
  const started = Date.now();
  await withClient(url, (c) => c.query('VACUUM (ANALYZE)'));
  return (Date.now() - started) / 1000;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh database for one benchmark run: on DATABASE_URL's server when it is set, else on an embedded
 * PostgreSQL started on a temporary data directory and a free port (deleted afterwards).
 */
export async function openBenchDatabase(label: string, log: (line: string) => void): Promise<BenchDatabase> {
  let serverUrl: string;
  let where: string;
  let stopServer = async () => {};
  if (process.env.DATABASE_URL) {
    serverUrl = process.env.DATABASE_URL;
    where = redactUrl(serverUrl);
  } else {
    const root = mkdtempSync(path.join(tmpdir(), 'tenantry-bench-pg-'));
    chmodSync(root, 0o755); // as root, PostgreSQL runs as the `postgres` OS user, which must reach the data directory
    const port = await freePort();
    const handle = await startEmbeddedPostgres({ dataDir: path.join(root, 'data'), port, maxConnections: 300 });
    serverUrl = handle.url;
    where = `embedded PostgreSQL on 127.0.0.1:${port} (temporary data directory)`;
    stopServer = async () => {
      await handle.stop();
      rmSync(root, { recursive: true, force: true });
    };
  }
  const name = `tenantry_bench_${label}_${process.pid}_${Date.now().toString(36)}`;
  await withClient(serverUrl, (c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const version = await withClient(url.toString(), async (c) => (await c.query('SHOW server_version')).rows[0].server_version as string);
  log(`database ${name} on ${where}, PostgreSQL ${version}`);
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await withClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`)).catch((error: Error) =>
        log(`could not drop ${name}: ${error.message}`),
      );
      await stopServer();
      process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
    })());
  // Ctrl-C mid-run still drops the database and stops the embedded server (it runs detached).
  const interrupted = () => void close().finally(() => process.exit(130));
  process.on('SIGINT', interrupted).on('SIGTERM', interrupted);
  return { url: url.toString(), description: `${where}, PostgreSQL ${version}`, close };
}
