import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { Client, escapeIdentifier } from 'pg';

export interface TestDatabase {
  name: string;
  url: string;
  /** Terminates its connections and drops it; idempotent. */
  drop(): Promise<void>;
}

/** A fresh database cloned from the template that test/global-setup.ts prepared. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = requiredEnv('TENANTRY_TEST_ADMIN_URL');
  const template = requiredEnv('TENANTRY_TEST_TEMPLATE_DB');
  // The run id lets global teardown find this run's databases on a shared DATABASE_URL server.
  const name = `tenantry_test_${requiredEnv('TENANTRY_TEST_RUN_ID')}_${randomBytes(6).toString('hex')}`;
  await withClient(adminUrl, async (client) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE ${escapeIdentifier(name)} TEMPLATE ${escapeIdentifier(template)}`);
        return;
      } catch (err) {
        // 55006: "source database is being accessed by other users"; such sessions are short-lived.
        if ((err as { code?: string }).code !== '55006' || attempt === 50) throw err;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  });
  let dropped: Promise<void> | undefined;
  return {
    name,
    url: databaseUrl(adminUrl, name),
    drop: () =>
      (dropped ??= withClient(adminUrl, async (client) => {
        await client.query(`DROP DATABASE IF EXISTS ${escapeIdentifier(name)} WITH (FORCE)`);
      })),
  };
}

/** The same server URL with another database (keeps credentials and query parameters). */
export function databaseUrl(serverUrl: string, database: string): string {
  const match = /^(postgres(?:ql)?:\/\/[^/?#]*)(?:\/[^?#]*)?(.*)$/.exec(serverUrl);
  if (!match) throw new Error('Expected a postgres:// URL');
  return `${match[1]}/${encodeURIComponent(database)}${match[2]}`;
}

export async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: test databases exist only in the jest "e2e" project, prepared by test/global-setup.ts`);
  }
  return value;
}
