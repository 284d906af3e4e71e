import { DataSource } from 'typeorm';
import { SchemaBehindError } from '../src/database/database.errors';
import { TENANT_STEPS } from '../src/database/migrations/migration-sets';
import { TenantConnectionProvider, TenantDataSourceLease } from '../src/database/tenant-connections/tenant-connection.provider';
import { Target } from '../src/targets/target.entity';
import type { TenantWithKey } from '../src/tenancy/registry/tenants.service';
import { TenantDeletionService } from '../src/tenancy/registry/tenant-deletion.service';
import { buildApp, closeApp, createTestApp, TestApp } from './utils/test-app';

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 3_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

describe('TenantConnectionProvider (per-tenant DataSources in an LRU)', () => {
  let t: TestApp;
  let provider: TenantConnectionProvider;
  let tenants: TenantWithKey[];

  beforeAll(async () => {
    t = await createTestApp({ TENANT_DATASOURCE_MAX: '2', TENANT_POOL_MAX: '1' });
    provider = t.app.get(TenantConnectionProvider);
    tenants = [];
    for (let i = 0; i < 4; i++) tenants.push(await t.createTenant());
  });
  afterAll(async () => {
    await t?.close();
  });

  const schema = (i: number) => tenants[i].tenant.schemaName;
  const use = async (i: number): Promise<DataSource> => {
    const lease = await provider.acquire(schema(i));
    lease.release();
    return lease.dataSource;
  };
  const tenantBackends = async (): Promise<number> => {
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS "n" FROM pg_stat_activity WHERE "datname" = current_database() AND "application_name" = $1`,
      [`${t.config.INSTANCE_NAME}:tenant`],
    );
    return n;
  };

  afterEach(async () => {
    // Start every test from an empty LRU.
    await provider.closeAll();
    expect(provider.openCount).toBe(0);
  });

  it('binds each DataSource to its tenant schema, one DataSource per schema', async () => {
    const lease = await provider.acquire(schema(0));
    try {
      expect((lease.dataSource.options as { schema?: string }).schema).toBe(schema(0));
      expect(lease.dataSource.isInitialized).toBe(true);
      // Its queries reach the tenant's own schema: the migrations recorded there are exactly this build's.
      const rows = await lease.dataSource.query(`SELECT "name" FROM "${schema(0)}"."migrations" ORDER BY "timestamp"`);
      expect(rows.map((row: { name: string }) => row.name)).toEqual(TENANT_STEPS.map((step) => step.name));
      // The same schema gives the same DataSource.
      const again = await provider.acquire(schema(0));
      expect(again.dataSource).toBe(lease.dataSource);
      again.release();
    } finally {
      lease.release();
    }
  });

  it('keeps at most TENANT_DATASOURCE_MAX DataSources, destroying the least recently used', async () => {
    const a = await use(0);
    const b = await use(1);
    await use(0); // a is now more recent than b
    expect(provider.openCount).toBe(2);
    const c = await use(2);
    expect(provider.openCount).toBe(2);
    expect(await waitFor(() => !b.isInitialized)).toBe(true);
    expect(a.isInitialized).toBe(true);
    expect(c.isInitialized).toBe(true);
    // Reopening b evicts a (now the least recently used) and gives a fresh DataSource.
    const b2 = await use(1);
    expect(b2).not.toBe(b);
    expect(await waitFor(() => !a.isInitialized)).toBe(true);
    expect(c.isInitialized).toBe(true);
  });

  it('keeps the tenant backends within TENANT_POOL_MAX however many tenants are used, at once or in turn', async () => {
    const peaks: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < tenants.length; i++) {
        const lease = await provider.acquire(schema(i));
        await lease.dataSource.query('SELECT 1');
        peaks.push(await tenantBackends());
        lease.release();
      }
    }
    const leases = await Promise.all(tenants.map((_, i) => provider.acquire(schema(i))));
    const rows = await Promise.all(leases.map((lease) => lease.dataSource.query(`SELECT current_schema() AS s, pg_sleep(0.05)`)));
    peaks.push(await tenantBackends());
    leases.forEach((lease) => lease.release());
    expect(rows).toHaveLength(tenants.length);
    expect(Math.max(...peaks)).toBe(1);
    expect(provider.openCount).toBe(2);
  });

  it('initializes a DataSource once however many requests race for it', async () => {
    const initialize = jest.spyOn(DataSource.prototype, 'initialize');
    try {
      const leases = await Promise.all(Array.from({ length: 20 }, () => provider.acquire(schema(3))));
      expect(initialize).toHaveBeenCalledTimes(1);
      expect(new Set(leases.map((lease) => lease.dataSource)).size).toBe(1);
      expect(provider.openCount).toBe(1);
      leases.forEach((lease) => lease.release());
    } finally {
      initialize.mockRestore();
    }
  });

  it('does not destroy an evicted DataSource until its last lease is released', async () => {
    const held: TenantDataSourceLease = await provider.acquire(schema(0));
    const second = await provider.acquire(schema(0));
    await use(1);
    await use(2); // evicts schema(0), which is still leased twice
    expect(provider.openCount).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(held.dataSource.isInitialized).toBe(true);
    await expect(held.dataSource.query('SELECT 1 AS "ok"')).resolves.toEqual([{ ok: 1 }]);
    held.release();
    held.release(); // releasing twice counts once
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(second.dataSource.isInitialized).toBe(true);
    second.release();
    expect(await waitFor(() => !held.dataSource.isInitialized)).toBe(true);
  });

  it('refuses a schema that is not at the current migration (503-kind error) and keeps no entry for it', async () => {
    await expect(provider.acquire('tenant_never_created')).rejects.toThrow(SchemaBehindError);
    await expect(provider.acquire('tenant_never_created')).rejects.toThrow(SchemaBehindError);
    expect(await waitFor(() => provider.openCount === 0)).toBe(true);
  });

  it('drops the DataSource of a purged tenant at once, once its last request has released it', async () => {
    const doomed = await t.createTenant();
    const lease = await provider.acquire(doomed.tenant.schemaName); // a request still running
    const other = await use(0);
    expect(provider.openCount).toBe(2);
    await t.app.get(TenantDeletionService).purge(doomed.tenant.id);
    expect(provider.openCount).toBe(1);
    expect(other.isInitialized).toBe(true);
    expect(lease.dataSource.isInitialized).toBe(true);
    lease.release();
    expect(await waitFor(() => !lease.dataSource.isInitialized)).toBe(true);
  });

  it('lists a tenant\'s targets on the pool without opening its DataSource, each tenant in its own schema', async () => {
    const [a, b] = [tenants[0], tenants[1]];
    await t.http().post('/targets').set('X-API-Key', a.apiKey).send({ name: 'only-in-a', address: 'https://a.example' }).expect(201);
    await provider.closeAll();
    const listA = await t.http().get('/targets').set('X-API-Key', a.apiKey).expect(200);
    const listB = await t.http().get('/targets').set('X-API-Key', b.apiKey).expect(200);
    expect(listA.body.items.map((item: { name: string }) => item.name)).toContain('only-in-a');
    expect(listB.body.items.map((item: { name: string }) => item.name)).not.toContain('only-in-a');
    expect(provider.openCount).toBe(0);
  });

  it('asks the ledger again for a purged tenant\'s schema: its statements are refused once it is gone', async () => {
    const doomed = await t.createTenant();
    await (await provider.statements(doomed.tenant.schemaName, Target)).query('SELECT 1', []);
    await t.app.get(TenantDeletionService).purge(doomed.tenant.id);
    await expect(provider.statements(doomed.tenant.schemaName, Target)).rejects.toThrow(SchemaBehindError);
  });

  it('destroys a DataSource left idle for TENANT_IDLE_SECONDS', async () => {
    const { app } = await buildApp(t.databaseUrl, { TENANT_IDLE_SECONDS: '1' });
    try {
      const idle = app.get(TenantConnectionProvider);
      const lease = await idle.acquire(schema(0));
      lease.release();
      expect(idle.openCount).toBe(1);
      // Used again after 600 ms: the idle clock restarts.
      await new Promise((resolve) => setTimeout(resolve, 600));
      (await idle.acquire(schema(0))).release();
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(idle.openCount).toBe(1);
      expect(lease.dataSource.isInitialized).toBe(true);
      expect(await waitFor(() => idle.openCount === 0 && !lease.dataSource.isInitialized, 2_000)).toBe(true);
    } finally {
      await closeApp(app);
    }
  });
});
