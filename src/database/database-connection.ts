import path from 'node:path';
import { Client } from 'pg';
import type { EnvironmentVariables } from '../config/environment-variables';
import type * as Embedded from './embedded-postgres';

export const EMBEDDED_DATABASE_NAME = 'tenantry';

export interface DatabaseConnection {
  url: string;
  /** For logs: where the data lives, without credentials. */
  description: string;
  /** True when this process started the embedded PostgreSQL (and so stops it, unless others still use it). */
  startedEmbedded: boolean;
  close(): Promise<void>;
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

/** DATABASE_URL when set; otherwise the embedded PostgreSQL under EMBEDDED_PG_DATA_DIR, started or joined. */
export async function connectDatabase(config: EnvironmentVariables, log: (line: string) => void): Promise<DatabaseConnection> {
  if (config.DATABASE_URL) {
    return { url: config.DATABASE_URL, description: redactUrl(config.DATABASE_URL), startedEmbedded: false, close: async () => {} };
  }
  // Loaded only when needed, so processes on an external database never load the binaries package.
  const { startEmbeddedPostgres } = require('./embedded-postgres') as typeof Embedded;
  const dataDir = path.resolve(config.EMBEDDED_PG_DATA_DIR);
  const handle = await startEmbeddedPostgres({ dataDir, port: config.EMBEDDED_PG_PORT, log });
  const url = new URL(handle.url);
  await ensureDatabase(url.toString(), EMBEDDED_DATABASE_NAME);
  url.pathname = `/${EMBEDDED_DATABASE_NAME}`;
  return {
    url: url.toString(),
    description: `embedded PostgreSQL on 127.0.0.1:${config.EMBEDDED_PG_PORT}, data in ${dataDir}${handle.startedHere ? '' : ' (already running)'}`,
    startedEmbedded: handle.startedHere,
    close: async () => {
      // A server started while this CLI ran (or a CLI during a server's shutdown) joined our instance:
      // stopping it would cut that process off. It keeps running, and the next start joins it.
      if (handle.startedHere && (await otherClientsConnected(handle.url))) {
        log('leaving the embedded PostgreSQL running: another process is connected to it');
        return;
      }
      await handle.stop();
    },
  };
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  try {
    await client.connect();
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Connects once and disconnects, so that a process about to build its pools learns first, within five seconds, that
 * the database cannot be reached (the error as the driver gives it).
 */
export async function checkDatabaseReachable(url: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  await client.end().catch(() => undefined);
}

/** Sessions on the instance besides this query's own (call after closing this process's pools). */
async function otherClientsConnected(maintenanceUrl: string): Promise<boolean> {
  return withClient(maintenanceUrl, async (client) => {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS "n" FROM pg_stat_activity WHERE "backend_type" = 'client backend' AND "pid" <> pg_backend_pid()`,
    );
    return rows[0].n > 0;
  }).catch(() => false); // not answering: nothing to keep it running for
}

async function ensureDatabase(maintenanceUrl: string, name: string): Promise<void> {
  await withClient(maintenanceUrl, async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // created meanwhile by the server or the CLI
      });
    }
  });
}
