import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { TenantDeletionService } from '../../src/tenancy/registry/tenant-deletion.service';
import { TenantPurgeTimer } from '../../src/tenancy/registry/tenant-purge-timer.service';
import { createTarget, ISO, MISSING_ID, tenantClient, type TenantClient } from '../utils/domain-fixtures';
import { decodeArchive, exportArchive } from '../utils/archive';
import { tenantChangeHeard } from '../utils/tenant-change-heard';
import { buildApp, closeApp, createTestApp, TEST_ADMIN_KEY, type TestApp } from '../utils/test-app';

// Caches that outlive the file (so a refusal is never the TTL's doing), and no purge timer unless a test starts one.
const SETTINGS = { AUTH_CACHE_TTL_SECONDS: '3600', TENANT_PURGE_INTERVAL_SECONDS: '0' };
const DAY_MS = 86_400_000;

/** Soft delete, restore and purge (API.md "Tenant lifecycle"), on two instances of the app on one database. */
describe('tenant soft delete, restore and purge', () => {
  let a: TestApp;
  let b: NestExpressApplication;

  beforeAll(async () => {
    a = await createTestApp(SETTINGS);
    ({ app: b } = await buildApp(a.databaseUrl, SETTINGS));
  });
  afterAll(async () => {
    if (b) await closeApp(b);
    await a?.close();
  });

  const admin = (req: request.Test) => req.set('X-Admin-Key', TEST_ADMIN_KEY);
  const onB = (path: string, key: string) => request(b.getHttpServer()).get(path).set('X-API-Key', key);

  /** A tenant with a target, whose key both instances have verified and cached, and whose DataSource B has open. */
  async function servedByBoth(): Promise<{ client: TenantClient; slug: string; targetId: string }> {
    const client = await tenantClient(a);
    const target = await createTarget(client);
    await onB('/targets', client.apiKey).expect(200);
    const [{ slug }] = await a.db.query(`SELECT "slug" FROM "shared"."tenants" WHERE "id" = $1`, [client.id]);
    return { client, slug, targetId: target.id };
  }

  const auditOf = (tenantId: string): Promise<Array<{ action: string; actor: string }>> =>
    a.db.query(`SELECT "action", "actor" FROM "shared"."audit_events" WHERE "tenant_id" = $1 ORDER BY "id"`, [tenantId]);

  async function leftOf(tenantId: string, schemaName: string) {
    const count = async (sql: string, param: string) => (await a.db.query(sql, [param]))[0].n as number;
    return {
      row: await count(`SELECT count(*)::int AS "n" FROM "shared"."tenants" WHERE "id" = $1`, tenantId),
      keys: await count(`SELECT count(*)::int AS "n" FROM "shared"."api_keys" WHERE "tenant_id" = $1`, tenantId),
      ledger: await count(`SELECT count(*)::int AS "n" FROM "shared"."schema_versions" WHERE "schema_name" = $1`, schemaName),
      schema: await count(`SELECT count(*)::int AS "n" FROM pg_namespace WHERE "nspname" = $1`, schemaName),
    };
  }

  describe('DELETE /tenants/{id} (soft)', () => {
    it('answers the tenant with deletedAt and purgeAfter; its key gets 403 on both instances; data and slug stay', async () => {
      const { client, slug, targetId } = await servedByBoth();
      const toldB = tenantChangeHeard(b, client.id, 'deleted');
      const res = await admin(a.http().delete(`/tenants/${client.id}`)).expect(200);
      expect(res.body).toMatchObject({ id: client.id, slug, schemaName: client.schema, deletedAt: expect.stringMatching(ISO) });
      expect(Date.parse(res.body.purgeAfter) - Date.parse(res.body.deletedAt)).toBe(7 * DAY_MS);
      await toldB;

      for (const res of [await client.get('/tenant-info'), await onB('/tenant-info', client.apiKey), await onB('/targets', client.apiKey)]) {
        expect(res.status).toBe(403);
        expect(res.body).toMatchObject({ statusCode: 403, message: 'Tenant is deleted' });
      }
      expect(await leftOf(client.id, client.schema)).toEqual({ row: 1, keys: 1, ledger: 1, schema: 1 });
      expect(await client.sql(`SELECT "id" FROM $schema."targets"`)).toEqual([{ id: targetId }]);

      const taken = await admin(a.http().post('/tenants')).send({ name: 'Again', slug }).expect(409);
      expect(taken.body.message).toBe(`A tenant with slug "${slug}" already exists`);
      // Still there for the operator who may restore it.
      const shown = await admin(a.http().get(`/tenants/${client.id}`)).expect(200);
      expect(shown.body).toEqual(res.body);
      expect(await auditOf(client.id)).toEqual([
        { action: 'tenant.created', actor: 'system' },
        { action: 'tenant.deleted', actor: 'admin-api' },
      ]);
    });

    it('refuses to delete a deleted tenant (409), and answers 404 / 400 for a missing or malformed id', async () => {
      const { client } = await servedByBoth();
      await admin(a.http().delete(`/tenants/${client.id}`)).expect(200);
      const again = await admin(a.http().delete(`/tenants/${client.id}`)).expect(409);
      expect(again.body.message).toBe('Tenant is already deleted; restore it, or purge it with purge=true');
      await admin(a.http().delete(`/tenants/${MISSING_ID}`)).expect(404);
      await admin(a.http().delete('/tenants/not-a-uuid')).expect(400);
      const bad = await admin(a.http().delete(`/tenants/${client.id}?purge=yes`)).expect(400);
      expect(bad.body.message).toEqual(['purge must be one of the following values: true, false']);
      await a.http().delete(`/tenants/${client.id}`).expect(401);
      expect((await auditOf(client.id)).filter((e) => e.action === 'tenant.deleted')).toHaveLength(1);
    });
  });

  it('a deleted tenant can still be exported and cloned until its purge, its own key refused', async () => {
    const { client, slug, targetId } = await servedByBoth();
    await admin(a.http().delete(`/tenants/${client.id}`)).expect(200);
    const exported = await exportArchive(a, client.id);
    expect(exported.status).toBe(200);
    const manifest = decodeArchive(exported.body).manifest!;
    expect(manifest.tenant).toEqual({ name: expect.any(String), slug });
    expect(manifest.tables.find((table: { name: string }) => table.name === 'targets').rows).toBe(1);

    const clone = await admin(a.http().post('/tenants').send({ name: 'Kept', slug: `${slug}-kept`, cloneFrom: slug })).expect(201);
    const kept = (await request(a.app.getHttpServer()).get(`/targets/${targetId}`).set('X-API-Key', clone.body.apiKey).expect(200)).body;
    expect(kept.id).toBe(targetId);
    await client.get('/tenant-info').expect(403);
  });

  describe('POST /tenants/{id}/restore', () => {
    it('brings the tenant back with the same key on both instances, and its data', async () => {
      const { client, targetId } = await servedByBoth();
      // B refuses the key once it has heard of the delete; until then its cache may still admit it.
      const toldB = tenantChangeHeard(b, client.id, 'deleted');
      await admin(a.http().delete(`/tenants/${client.id}`)).expect(200);
      await client.get('/tenant-info').expect(403);
      await toldB;
      await onB('/tenant-info', client.apiKey).expect(403);

      // Restored through B; A hears of it.
      const toldA = tenantChangeHeard(a.app, client.id, 'restored');
      const res = await admin(request(b.getHttpServer()).post(`/tenants/${client.id}/restore`)).expect(200);
      expect(res.body).toMatchObject({ id: client.id, deletedAt: null, purgeAfter: null });
      await toldA;
      await client.get('/tenant-info').expect(200);
      await onB('/tenant-info', client.apiKey).expect(200);
      expect((await client.get(`/targets/${targetId}`).expect(200)).body.id).toBe(targetId);
      expect((await auditOf(client.id)).slice(1)).toEqual([
        { action: 'tenant.deleted', actor: 'admin-api' },
        { action: 'tenant.restored', actor: 'admin-api' },
      ]);
    });

    it('refuses a tenant that is not deleted (409); a missing id is 404, a malformed one 400', async () => {
      const { client } = await servedByBoth();
      const res = await admin(a.http().post(`/tenants/${client.id}/restore`)).expect(409);
      expect(res.body.message).toBe('Tenant is not deleted');
      await admin(a.http().post(`/tenants/${MISSING_ID}/restore`)).expect(404);
      await admin(a.http().post('/tenants/nope/restore')).expect(400);
      await client.get('/tenant-info').expect(200);
    });
  });

  describe('GET /tenants', () => {
    it('lists deleted tenants only with includeDeleted=true', async () => {
      const live = await a.createTenant();
      const gone = await a.createTenant();
      await admin(a.http().delete(`/tenants/${gone.tenant.id}`)).expect(200);
      const ids = async (query: string) =>
        ((await admin(a.http().get(`/tenants?limit=100${query}`)).expect(200)).body.items as Array<{ id: string; deletedAt: string | null }>);

      const plain = await ids('');
      expect(plain.map((x) => x.id)).toContain(live.tenant.id);
      expect(plain.map((x) => x.id)).not.toContain(gone.tenant.id);
      expect(plain.every((x) => x.deletedAt === null)).toBe(true);
      for (const query of ['&includeDeleted=true', '&includeDeleted=true&isActive=true']) {
        const all = await ids(query);
        expect(all.map((x) => x.id)).toEqual(expect.arrayContaining([live.tenant.id, gone.tenant.id]));
        expect(all.find((x) => x.id === gone.tenant.id)?.deletedAt).toMatch(ISO);
      }
      expect((await ids('&includeDeleted=false')).map((x) => x.id)).not.toContain(gone.tenant.id);
      await admin(a.http().get('/tenants?includeDeleted=1')).expect(400);
    });
  });

  describe('DELETE /tenants/{id}?purge=true', () => {
    it('erases schema, ledger entry, keys and row at once, on both instances; keeps the audit events; frees the slug', async () => {
      const { client, slug } = await servedByBoth();
      const toldB = tenantChangeHeard(b, client.id, 'purged');
      const res = await admin(a.http().delete(`/tenants/${client.id}?purge=true`)).expect(200);
      expect(res.body).toMatchObject({ id: client.id, slug, deletedAt: null });
      await toldB;
      expect(await leftOf(client.id, client.schema)).toEqual({ row: 0, keys: 0, ledger: 0, schema: 0 });
      await client.get('/tenant-info').expect(401);
      await onB('/targets', client.apiKey).expect(401);
      await admin(a.http().get(`/tenants/${client.id}`)).expect(404);
      await admin(a.http().post(`/tenants/${client.id}/restore`)).expect(404);
      await admin(a.http().delete(`/tenants/${client.id}?purge=true`)).expect(404);
      expect(await auditOf(client.id)).toEqual([
        { action: 'tenant.created', actor: 'system' },
        { action: 'tenant.purged', actor: 'admin-api' },
      ]);
      // The events outlive the tenant and are still answered by its id; an id that never had a tenant is 404.
      const trail = await admin(a.http().get(`/tenants/${client.id}/audit`)).expect(200);
      expect(trail.body.items.map((e: { action: string }) => e.action)).toEqual(['tenant.purged', 'tenant.created']);
      await admin(a.http().get('/tenants/00000000-0000-4000-8000-000000000000/audit')).expect(404);

      const again = await admin(a.http().post('/tenants')).send({ name: 'Again', slug }).expect(201);
      await a.http().get('/targets').set('X-API-Key', again.body.apiKey).expect(200);
      expect((await a.http().get('/targets').set('X-API-Key', again.body.apiKey)).body.items).toEqual([]);
      await client.get('/tenant-info').expect(401);
    });

    it('purges an already deleted tenant too', async () => {
      const { client } = await servedByBoth();
      await admin(a.http().delete(`/tenants/${client.id}`)).expect(200);
      const res = await admin(a.http().delete(`/tenants/${client.id}?purge=true`)).expect(200);
      expect(res.body.deletedAt).toMatch(ISO);
      expect(await leftOf(client.id, client.schema)).toEqual({ row: 0, keys: 0, ledger: 0, schema: 0 });
      expect((await auditOf(client.id)).map((e) => e.action)).toEqual(['tenant.created', 'tenant.deleted', 'tenant.purged']);
    });
  });

  describe('the purge of due tenants', () => {
    /** Deleted tenants, the due ones with purge_after moved into the past (as if their retention had passed). */
    async function deletedTenants(due: number, notDue: number) {
      const make = async () => {
        const { tenant } = await a.createTenant();
        await a.app.get(TenantDeletionService).delete(tenant.id);
        return tenant;
      };
      const dueOnes = [];
      for (let i = 0; i < due; i++) dueOnes.push(await make());
      const notDueOnes = [];
      for (let i = 0; i < notDue; i++) notDueOnes.push(await make());
      await a.db.query(`UPDATE "shared"."tenants" SET "purge_after" = "deleted_at" - interval '1 day' WHERE "id" = ANY($1)`, [
        dueOnes.map((x) => x.id),
      ]);
      return { due: dueOnes, notDue: notDueOnes };
    }

    it('with two instances purging at once (their timers and an operator): exactly the due tenants, each once', async () => {
      const { due, notDue } = await deletedTenants(4, 2);
      const live = await a.createTenant();
      const reports = await Promise.all([
        a.app.get(TenantDeletionService).purgeDue({ wait: false }),
        b.get(TenantDeletionService).purgeDue({ wait: false }),
        b.get(TenantDeletionService).purgeDue({ wait: true }),
        a.app.get(TenantPurgeTimer).tick().then(() => null),
      ]);
      // Whatever a timer left to another instance (the lock was busy), one more purge finds: nothing is due twice.
      const rest = await a.app.get(TenantDeletionService).purgeDue({ wait: true });
      const purged = [...reports, rest].flatMap((report) => report?.purged.map((x) => x.id) ?? []);
      expect(reports.every((report) => report === null || report.failed.length === 0)).toBe(true);
      expect(new Set(purged).size).toBe(purged.length);

      for (const tenant of due) {
        expect(await leftOf(tenant.id, tenant.schemaName)).toEqual({ row: 0, keys: 0, ledger: 0, schema: 0 });
        expect((await auditOf(tenant.id)).filter((e) => e.action === 'tenant.purged')).toEqual([{ action: 'tenant.purged', actor: 'system' }]);
      }
      for (const tenant of [...notDue, live.tenant]) {
        expect(await leftOf(tenant.id, tenant.schemaName)).toEqual({ row: 1, keys: 1, ledger: 1, schema: 1 });
      }
      expect((await a.app.get(TenantDeletionService).purgeDue({ wait: true })).purged).toEqual([]);
    });

    it('does not purge a tenant restored after it was found due', async () => {
      const { due } = await deletedTenants(1, 0);
      const deletion = a.app.get(TenantDeletionService);
      await deletion.restore(due[0].id);
      expect((await deletion.purgeDue({ wait: true })).purged).toEqual([]);
      expect(await leftOf(due[0].id, due[0].schemaName)).toEqual({ row: 1, keys: 1, ledger: 1, schema: 1 });
    });

    it('runs on the server timer (TENANT_PURGE_INTERVAL_SECONDS), as actor system', async () => {
      const { due, notDue } = await deletedTenants(1, 1);
      const { app: timed } = await buildApp(a.databaseUrl, { ...SETTINGS, TENANT_PURGE_INTERVAL_SECONDS: '1' });
      try {
        let left = 1;
        for (let i = 0; i < 300 && left > 0; i++) {
          left = (await leftOf(due[0].id, due[0].schemaName)).row;
          if (left > 0) await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(left).toBe(0);
      } finally {
        await closeApp(timed);
      }
      expect(await leftOf(due[0].id, due[0].schemaName)).toEqual({ row: 0, keys: 0, ledger: 0, schema: 0 });
      expect((await auditOf(due[0].id)).at(-1)).toEqual({ action: 'tenant.purged', actor: 'system' });
      expect(await leftOf(notDue[0].id, notDue[0].schemaName)).toEqual({ row: 1, keys: 1, ledger: 1, schema: 1 });
    });
  });
});
