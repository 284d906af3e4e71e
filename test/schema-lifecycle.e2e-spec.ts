import { randomUUID } from 'node:crypto';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { TENANT_STEPS } from '../src/database/migrations/migration-sets';
import { migrationSteps, MigrationStep } from '../src/database/migrations/schema-migrator';
import { TenantMigrationsService } from '../src/database/migrations/tenant-migrations.service';
import { SpareSchemaPoolService } from '../src/tenancy/registry/spare-schema-pool.service';
import { TenantConnectionProvider } from '../src/database/tenant-connections/tenant-connection.provider';
import { TenantsService } from '../src/tenancy/registry/tenants.service';
import { TenantDeletionService } from '../src/tenancy/registry/tenant-deletion.service';
import { schemaOf } from '../migrations/schema-of';
import { buildApp, createTestApp, TestApp, uniqueSlug } from './utils/test-app';
import { tenantChangeHeard } from './utils/tenant-change-heard';

/** A "next release" migration: adds a column and an index to every tenant; can be told to fail for one schema. */
function nextRelease(failFor?: string): MigrationStep[] {
  class AddTargetNote1799999999999 implements MigrationInterface {
    async up(queryRunner: QueryRunner): Promise<void> {
      if (queryRunner.data.schema === failFor) throw new Error('simulated migration failure');
      const schema = schemaOf(queryRunner);
      await queryRunner.query(`ALTER TABLE ${schema}."targets" ADD COLUMN "note" text`);
      await queryRunner.query(`CREATE INDEX "targets_note_idx" ON ${schema}."targets" ("note")`);
    }
    async down(): Promise<void> {}
  }
  return [...TENANT_STEPS, ...migrationSteps([AddTargetNote1799999999999])];
}

async function hasNoteColumn(t: TestApp, schema: string): Promise<boolean> {
  const rows = await t.db.query(
    `SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'targets' AND column_name = 'note'`,
    [schema],
  );
  return rows.length === 1;
}

/** Tables, columns, indexes and constraints of a schema, with its own name blanked out so two schemas compare. */
async function catalog(t: TestApp, schema: string): Promise<unknown> {
  const blank = (value: string | null) => value?.split(schema).join('<schema>') ?? null;
  const columns = await t.db.query(
    `SELECT table_name, column_name, data_type, is_nullable, column_default, ordinal_position
       FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position`,
    [schema],
  );
  const indexes = await t.db.query(`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname`, [
    schema,
  ]);
  const constraints = await t.db.query(
    `SELECT c.conrelid::regclass::text AS tbl, c.conname, pg_get_constraintdef(c.oid) AS def
       FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = $1 ORDER BY c.conname`,
    [schema],
  );
  const migrations = await t.db.query(`SELECT "timestamp", "name" FROM "${schema}"."migrations" ORDER BY "id"`);
  return {
    columns: columns.map((c: Record<string, string>) => ({ ...c, column_default: blank(c.column_default) })),
    indexes: indexes.map((i: Record<string, string>) => ({ ...i, indexdef: blank(i.indexdef) })),
    constraints: constraints.map((c: Record<string, string>) => ({ ...c, tbl: blank(c.tbl), def: blank(c.def) })),
    migrations,
  };
}

describe('schema lifecycle', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('migrates every schema but the failing one, records the failure, and a rerun after the fix completes', async () => {
    const tenants = await Promise.all([t.createTenant(), t.createTenant(), t.createTenant()]);
    const [good1, bad, good2] = tenants.map((x) => x.tenant.schemaName);
    const migrations = t.app.get(TenantMigrationsService);

    const before = await migrations.check({ steps: nextRelease() });
    expect(before.behind.map((r) => r.schemaName)).toEqual(expect.arrayContaining([good1, bad, good2]));

    const first = await migrations.migrate({ steps: nextRelease(bad), concurrency: 3 });
    const bySchema = new Map(first.results.map((r) => [r.schemaName, r]));
    expect(bySchema.get(good1)?.status).toBe('migrated');
    expect(bySchema.get(good2)?.status).toBe('migrated');
    expect(bySchema.get(bad)).toMatchObject({ status: 'failed', error: 'simulated migration failure' });
    expect(first.failed).toBe(1);
    expect(await hasNoteColumn(t, good1)).toBe(true);
    expect(await hasNoteColumn(t, bad)).toBe(false);

    const ledger = await t.db.query(`SELECT state, error FROM shared.schema_versions WHERE schema_name = $1`, [bad]);
    expect(ledger).toEqual([{ state: 'failed', error: 'simulated migration failure' }]);
    const mid = await migrations.check({ steps: nextRelease() });
    expect(mid.failed.map((r) => r.schemaName)).toEqual([bad]);

    const rerun = await migrations.migrate({ steps: nextRelease() });
    expect(rerun.results.map((r) => [r.schemaName, r.status])).toEqual([[bad, 'migrated']]);
    expect(await hasNoteColumn(t, bad)).toBe(true);
    const after = await migrations.check({ steps: nextRelease() });
    expect(after.behind).toEqual([]);
    expect(after.failed).toEqual([]);
  });

  it('never applies a migration twice when two runners race', async () => {
    const fresh = await createTestApp();
    try {
      const schemas = (await Promise.all([fresh.createTenant(), fresh.createTenant(), fresh.createTenant()])).map((x) => x.tenant.schemaName);
      const second = await buildApp(fresh.databaseUrl);
      try {
        const [a, b] = await Promise.all([
          fresh.app.get(TenantMigrationsService).migrate({ steps: nextRelease(), concurrency: 2 }),
          second.app.get(TenantMigrationsService).migrate({ steps: nextRelease(), concurrency: 2 }),
        ]);
        expect(a.failed + b.failed).toBe(0);
        for (const schema of schemas) {
          const rows = await fresh.db.query(`SELECT count(*)::int AS n FROM "${schema}"."migrations" WHERE name = 'AddTargetNote1799999999999'`);
          expect(rows[0].n).toBe(1);
          expect(await hasNoteColumn(fresh, schema)).toBe(true);
        }
        const applied = [...a.results, ...b.results].filter((r) => r.status === 'migrated').map((r) => r.schemaName);
        expect(applied.sort()).toEqual([...schemas].sort());
      } finally {
        await second.app.close();
      }
    } finally {
      await fresh.close();
    }
  });

  it('answers 503 for a tenant whose schema is behind, and serves it again once migrated', async () => {
    const { tenant, apiKey } = await t.createTenant();
    await t.db.query(`UPDATE shared.schema_versions SET version = NULL WHERE schema_name = $1`, [tenant.schemaName]);
    const behind = await t.http().get('/targets').set('X-API-Key', apiKey);
    expect(behind.status).toBe(503);
    expect(behind.body).toMatchObject({ statusCode: 503, message: 'This tenant is being upgraded; retry shortly' });
    expect(JSON.stringify(behind.body)).not.toMatch(/relation|column|SELECT/i);

    const check = await t.app.get(TenantMigrationsService).check();
    expect(check.behind.map((r) => r.schemaName)).toContain(tenant.schemaName);
    await t.app.get(TenantMigrationsService).migrate({ schemaNames: [tenant.schemaName] });
    const ok = await t.http().get('/targets').set('X-API-Key', apiKey);
    expect(ok.status).toBe(200);
  });

  it('provisions from the spare pool and from migrations into identical schemas', async () => {
    const pooled = await createTestApp({ SPARE_SCHEMA_POOL_SIZE: '1' });
    try {
      const spares = pooled.app.get(SpareSchemaPoolService);
      expect(await spares.refill()).toBe(1);
      expect(await spares.count()).toBe(1);
      const [spare] = await pooled.db.query(`SELECT schema_name FROM shared.schema_versions WHERE kind = 'spare'`);

      const fromPool = await pooled.createTenant();
      expect(await spares.count()).toBe(0);
      const namespaces = await pooled.db.query(`SELECT nspname FROM pg_namespace WHERE nspname = ANY($1)`, [
        [spare.schema_name, fromPool.tenant.schemaName],
      ]);
      expect(namespaces).toEqual([{ nspname: fromPool.tenant.schemaName }]);
      const fromMigrations = await pooled.createTenant();

      expect(await catalog(pooled, fromPool.tenant.schemaName)).toEqual(await catalog(pooled, fromMigrations.tenant.schemaName));
      const ledger = await pooled.db.query(
        `SELECT kind, state FROM shared.schema_versions WHERE schema_name = ANY($1) ORDER BY schema_name`,
        [[fromPool.tenant.schemaName, fromMigrations.tenant.schemaName]],
      );
      expect(ledger).toEqual([
        { kind: 'tenant', state: 'ready' },
        { kind: 'tenant', state: 'ready' },
      ]);
      const listed = await pooled.app.get(TenantsService).list({ limit: 100 });
      expect(listed.items.some((x) => x.schemaName.startsWith('spare_'))).toBe(false);
      const res = await pooled.http().get('/targets').set('X-API-Key', fromPool.apiKey);
      expect(res.status).toBe(200);
    } finally {
      await pooled.close();
    }
  });

  it('purges schema, ledger entry and row together, and evicts the tenant on every instance', async () => {
    const second = await buildApp(t.databaseUrl);
    try {
      const { tenant, apiKey } = await t.createTenant(uniqueSlug('del'));
      const other = second.app.getHttpServer();
      const request = (await import('supertest')).default;
      // A change runs in a transaction on the tenant's DataSource (reads and creates need none), so the instance holds one to evict.
      expect((await request(other).patch(`/targets/${randomUUID()}`).set('X-API-Key', apiKey).send({ name: 'x' })).status).toBe(404);
      const provider = second.app.get(TenantConnectionProvider);
      const openBefore = provider.openCount;

      const heard = tenantChangeHeard(second.app, tenant.id, 'purged');
      await t.app.get(TenantDeletionService).purge(tenant.slug);
      expect(await t.db.query(`SELECT 1 FROM shared.tenants WHERE id = $1`, [tenant.id])).toEqual([]);
      expect(await t.db.query(`SELECT 1 FROM shared.schema_versions WHERE schema_name = $1`, [tenant.schemaName])).toEqual([]);
      expect(await t.db.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [tenant.schemaName])).toEqual([]);

      // From the notification on, the other instance refuses the key and holds no DataSource of the schema.
      await heard;
      expect(provider.openCount).toBe(openBefore - 1);
      expect((await request(other).get('/tenant-info').set('X-API-Key', apiKey)).status).toBe(401);
    } finally {
      await second.app.close();
    }
  });
});
