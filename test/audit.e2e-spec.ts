import request from 'supertest';
import { parseApiKey } from '../src/tenancy/auth/api-key';
import { TenantDeletionService } from '../src/tenancy/registry/tenant-deletion.service';
import { buildApp, closeApp, createTestApp, TEST_ADMIN_KEY, TestApp } from './utils/test-app';
import { forgedKeyFor } from './utils/forged-key';

describe('audit trail (shared.audit_events)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const admin = (req: request.Test) => req.set('X-Admin-Key', TEST_ADMIN_KEY);

  it('records every operator action and key event, newest first, with actor, request id and no secret', async () => {
    const created = await admin(t.http().post('/tenants')).set('X-Request-Id', 'req-create').send({ name: 'Audited', slug: 'audited' }).expect(201);
    const id = created.body.tenant.id;
    const key = await admin(t.http().post(`/tenants/${id}/keys`)).set('X-Request-Id', 'req-key').send({ name: 'ci', scopes: ['read'] }).expect(201);
    const rotated = await admin(t.http().post(`/tenants/${id}/keys/${key.body.key.id}/rotate`)).send({ graceSeconds: 60 }).expect(200);
    await admin(t.http().delete(`/tenants/${id}/keys/${rotated.body.key.id}`)).expect(204);
    await admin(t.http().put(`/tenants/${id}`)).send({ name: 'Audited Inc' }).expect(200);
    await admin(t.http().put(`/tenants/${id}`)).send({ isActive: false }).expect(200);
    await admin(t.http().put(`/tenants/${id}`)).send({ isActive: true }).expect(200);
    const regenerated = await admin(t.http().post(`/tenants/${id}/regenerate-api-key`)).expect(200);

    const res = await admin(t.http().get(`/tenants/${id}/audit`)).expect(200);
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.items.map((e: { action: string }) => e.action)).toEqual([
      'key.regenerated',
      'tenant.reactivated',
      'tenant.deactivated',
      'tenant.updated',
      'key.revoked',
      'key.rotated',
      'key.created',
      'tenant.created',
    ]);
    for (const event of res.body.items) {
      expect(Object.keys(event).sort()).toEqual(['action', 'actor', 'at', 'detail', 'id', 'keyId', 'requestId', 'tenantId']);
      expect(event).toMatchObject({ actor: 'admin-api', tenantId: id, requestId: expect.any(String) });
    }
    const byAction = Object.fromEntries(res.body.items.map((e: { action: string }) => [e.action, e]));
    expect(byAction['tenant.created']).toMatchObject({ requestId: 'req-create', keyId: parseApiKey(created.body.apiKey)!.keyId });
    expect(byAction['key.created']).toMatchObject({ requestId: 'req-key', keyId: key.body.key.id, detail: { name: 'ci', scopes: ['read'] } });
    expect(byAction['key.rotated'].detail).toEqual({ name: 'ci', newKeyId: rotated.body.key.id, graceSeconds: 60 });
    expect(byAction['tenant.updated'].detail).toEqual({ name: { from: 'Audited', to: 'Audited Inc' } });
    expect(byAction['key.regenerated']).toMatchObject({ keyId: parseApiKey(regenerated.body.apiKey)!.keyId });
    expect(byAction['key.regenerated'].detail.revokedKeyIds).toEqual(expect.arrayContaining([parseApiKey(created.body.apiKey)!.keyId]));

    const hashes: Array<{ hash: string }> = await t.db.query(`SELECT "hash" FROM "shared"."api_keys" WHERE "tenant_id" = $1`, [id]);
    for (const secret of [created.body.apiKey, key.body.apiKey, rotated.body.apiKey, regenerated.body.apiKey]) expect(res.text).not.toContain(secret);
    for (const { hash } of hashes) {
      const [, , salt, digest] = hash.split('$');
      expect(res.text).not.toContain(salt);
      expect(res.text).not.toContain(digest);
    }
    expect(res.text).not.toMatch(/pbkdf2/);

    // Pages, newest first.
    const first = await admin(t.http().get(`/tenants/${id}/audit?limit=3`)).expect(200);
    const rest = await admin(t.http().get(`/tenants/${id}/audit?limit=100&cursor=${first.body.nextCursor}`)).expect(200);
    expect([...first.body.items, ...rest.body.items].map((e: { id: string }) => e.id)).toEqual(res.body.items.map((e: { id: string }) => e.id));
    await admin(t.http().get(`/tenants/${id}/audit?cursor=nope`)).expect(400);
    await admin(t.http().get(`/tenants/00000000-0000-4000-8000-000000000000/audit`)).expect(404);
    await t.http().get(`/tenants/${id}/audit`).expect(401);
  });

  it('keeps newest first by number once the ids pass a power of ten (…99, …100 …), on every page', async () => {
    // The next ids run from just under a power of ten across it (…98, …99, …100 …).
    const [{ last }] = await t.db.query(`SELECT coalesce(max("id"), 0)::text AS "last" FROM "shared"."audit_events"`);
    await t.db.query(`SELECT setval(pg_get_serial_sequence('"shared"."audit_events"', 'id'), $1)`, [10 ** (last.length + 1) - 3]);
    const { tenant } = await t.createTenant();
    for (let i = 1; i <= 12; i++) await admin(t.http().put(`/tenants/${tenant.id}`)).send({ name: `Renamed ${i}` }).expect(200);
    const stored: Array<{ id: string }> = await t.db.query(
      `SELECT "id"::text AS "id" FROM "shared"."audit_events" WHERE "tenant_id" = $1 ORDER BY "audit_events"."id" DESC`,
      [tenant.id],
    );
    expect(stored).toHaveLength(13);
    expect(new Set(stored.map((e) => e.id.length)).size).toBe(2);

    const all = await admin(t.http().get(`/tenants/${tenant.id}/audit?limit=100`)).expect(200);
    expect(all.body.items.map((e: { id: string }) => e.id)).toEqual(stored.map((e) => e.id));
    expect(all.body.items[0].detail).toEqual({ name: { from: 'Renamed 11', to: 'Renamed 12' } });

    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await admin(t.http().get(`/tenants/${tenant.id}/audit?limit=4${cursor ? `&cursor=${cursor}` : ''}`)).expect(200);
      paged.push(...page.body.items.map((e: { id: string }) => e.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(paged).toEqual(stored.map((e) => e.id));
  });

  it('writes nothing when the change fails (same transaction)', async () => {
    const { tenant } = await t.createTenant();
    await admin(t.http().post(`/tenants/${tenant.id}/keys`)).send({ name: 'dup' }).expect(201);
    await admin(t.http().post(`/tenants/${tenant.id}/keys`)).send({ name: 'dup' }).expect(409);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS "n" FROM "shared"."audit_events" WHERE "tenant_id" = $1 AND "action" = 'key.created'`, [tenant.id]);
    expect(n).toBe(1);
  });

  it('records a tenant deleted, restored and purged by the services as actor system, and keeps its events', async () => {
    const { tenant } = await t.createTenant();
    const deletion = t.app.get(TenantDeletionService);
    await deletion.delete(tenant.id);
    await deletion.restore(tenant.id);
    await deletion.delete(tenant.id);
    await deletion.purge(tenant.id);
    const rows = await t.db.query(`SELECT "action", "actor" FROM "shared"."audit_events" WHERE "tenant_id" = $1 ORDER BY "id"`, [tenant.id]);
    expect(rows).toEqual([
      { action: 'tenant.created', actor: 'system' },
      { action: 'tenant.deleted', actor: 'system' },
      { action: 'tenant.restored', actor: 'system' },
      { action: 'tenant.deleted', actor: 'system' },
      { action: 'tenant.purged', actor: 'system' },
    ]);
  });

  it('records once, as system, that throttling of a key id has begun', async () => {
    const { app } = await buildApp(t.databaseUrl, { AUTH_FAILURE_LIMIT: '3', TRUST_PROXY: 'loopback' });
    try {
      const { tenant, apiKey } = await t.createTenant();
      for (let i = 0; i < 6; i++) {
        await request(app.getHttpServer()).get('/tenant-info').set('X-Forwarded-For', `198.20.0.${i + 1}`).set('X-API-Key', forgedKeyFor(apiKey)).expect(401);
      }
      let rows: Array<Record<string, unknown>> = [];
      for (let tries = 0; tries < 50 && rows.length === 0; tries++) {
        rows = await t.db.query(`SELECT "actor", "key_id", "detail" FROM "shared"."audit_events" WHERE "tenant_id" = $1 AND "action" = 'key.throttled'`, [tenant.id]);
        if (rows.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(rows).toEqual([{ actor: 'system', key_id: parseApiKey(apiKey)!.keyId, detail: { failures: 3, windowSeconds: 60 } }]);
      // And the true key is still served.
      await request(app.getHttpServer()).get('/tenant-info').set('X-Forwarded-For', '198.20.1.1').set('X-API-Key', apiKey).expect(200);
    } finally {
      await closeApp(app);
    }
  });
});
