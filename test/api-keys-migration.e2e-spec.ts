import { randomBytes, randomUUID } from 'node:crypto';
import { escapeIdentifier } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { validateEnvironment } from '../src/config/environment-variables';
import { sharedDataSourceOptions } from '../src/database/data-source-options';
import { SHARED_STEPS } from '../src/database/migrations/migration-sets';
import { applyPendingMigrations } from '../src/database/migrations/schema-migrator';
import { inTransaction } from '../src/database/transaction';
import { generateApiKey } from '../src/tenancy/auth/api-key';
import * as hasher from '../src/tenancy/auth/api-key-hasher';
import { buildApp, closeApp, TEST_ADMIN_KEY } from './utils/test-app';
import { databaseUrl, withClient } from './utils/test-database';
import { forgedKeyFor } from './utils/forged-key';

/** A database at the one-key schema (the first shared migration only), holding one tenant and its live key. */
async function oneKeyDatabase(): Promise<{ url: string; drop: () => Promise<void>; tenantId: string; apiKey: string; hash: string }> {
  const adminUrl = process.env.TENANTRY_TEST_ADMIN_URL!;
  const name = `tenantry_test_${process.env.TENANTRY_TEST_RUN_ID}_onekey_${randomBytes(4).toString('hex')}`;
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${escapeIdentifier(name)}`));
  const url = databaseUrl(adminUrl, name);
  const key = generateApiKey();
  const hash = await hasher.hashApiKey(key.key, hasher.MIN_ITERATIONS);
  const tenantId = randomUUID();
  const dataSource = await new DataSource(sharedDataSourceOptions(validateEnvironment({ DATABASE_URL: url }), url, [])).initialize();
  try {
    await inTransaction(dataSource, async (queryRunner) => {
      await queryRunner.query(`CREATE SCHEMA "shared"`);
      await applyPendingMigrations(queryRunner, 'shared', SHARED_STEPS.slice(0, 1));
      await queryRunner.query(
        `INSERT INTO "shared"."tenants" ("id", "name", "slug", "schema_name", "api_key_id", "api_key_hash")
         VALUES ($1, 'Legacy', 'legacy', 'tenant_legacy', $2, $3)`,
        [tenantId, key.keyId, hash],
      );
    });
  } finally {
    await dataSource.destroy();
  }
  const drop = () => withClient(adminUrl, async (client) => void (await client.query(`DROP DATABASE IF EXISTS ${escapeIdentifier(name)} WITH (FORCE)`)));
  return { url, drop, tenantId, apiKey: key.key, hash };
}

describe('migration from one key per tenant to shared.api_keys', () => {
  afterEach(() => jest.restoreAllMocks());

  it('keeps the live key working, with every scope, and bounds PBKDF2 on it until its check tag is known', async () => {
    const legacy = await oneKeyDatabase();
    const limit = 3;
    const { app } = await buildApp(legacy.url, { AUTH_FAILURE_LIMIT: String(limit), TRUST_PROXY: 'loopback' });
    try {
      const db = app.get(DataSource);
      const [moved] = await db.query(`SELECT * FROM "shared"."api_keys" WHERE "tenant_id" = $1`, [legacy.tenantId]);
      expect(moved).toMatchObject({ name: 'default', scopes: ['read', 'write', 'worker'], hash: legacy.hash, check_tag: null, revoked_at: null });
      const columns = await db.query(
        `SELECT "column_name" FROM information_schema.columns WHERE "table_schema" = 'shared' AND "table_name" = 'tenants'`,
      );
      expect(columns.map((c: { column_name: string }) => c.column_name)).not.toContain('api_key_hash');

      // Before its first use the key has no check tag: wrong secrets cost PBKDF2, but at most `limit` per window.
      const pbkdf2 = jest.spyOn(hasher, 'verifyApiKey');
      const server = app.getHttpServer();
      const statuses: number[] = [];
      for (let i = 0; i < limit + 3; i++) {
        const res = await request(server).get('/tenant-info').set('X-Forwarded-For', `198.19.0.${i + 1}`).set('X-API-Key', forgedKeyFor(legacy.apiKey));
        statuses.push(res.status);
      }
      expect(statuses).toEqual([...Array(limit).fill(401), 429, 429, 429]);
      expect(pbkdf2).toHaveBeenCalledTimes(limit);

      // The window over (counters cleared), the existing key works and gains its tag.
      await db.query(`DELETE FROM "shared"."auth_failures"`);
      const info = await request(server).get('/tenant-info').set('X-API-Key', legacy.apiKey).expect(200);
      expect(info.body).toMatchObject({ id: legacy.tenantId, slug: 'legacy', key: { id: moved.id, name: 'default', scopes: ['read', 'write', 'worker'] } });
      const [tagged] = await db.query(`SELECT "check_tag" FROM "shared"."api_keys" WHERE "id" = $1`, [moved.id]);
      expect(tagged.check_tag).toBe(hasher.checkTag(legacy.apiKey, legacy.hash));

      // Regeneration still replaces it.
      await request(server).post(`/tenants/${legacy.tenantId}/regenerate-api-key`).set('X-Admin-Key', TEST_ADMIN_KEY).expect(200);
      await request(server).get('/tenant-info').set('X-API-Key', legacy.apiKey).expect(401);
    } finally {
      await closeApp(app);
      await legacy.drop();
    }
  });
});
