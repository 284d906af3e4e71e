import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { generateApiKey } from '../src/tenancy/auth/api-key';
import { SpareSchemaPoolService } from '../src/tenancy/registry/spare-schema-pool.service';
import { TenantChangeReason, TenantEventsService } from '../src/tenancy/registry/tenant-events.service';
import { TenantsService, TenantWithKey } from '../src/tenancy/registry/tenants.service';
import { TenantDeletionService } from '../src/tenancy/registry/tenant-deletion.service';
import { createTarget, tenantClient } from './utils/domain-fixtures';
import { buildApp, closeApp, createTestApp, TEST_ADMIN_KEY, TestApp } from './utils/test-app';

// Caches that outlive the whole file: whatever the other instance refuses, a TTL did not make it refuse.
// The proxy in front (loopback) is trusted so that each throttle test can be a client address of its own.
const SETTINGS = { SPARE_SCHEMA_POOL_SIZE: '2', AUTH_CACHE_TTL_SECONDS: '3600', AUTH_FAILURE_LIMIT: '4', TRUST_PROXY: 'loopback' };

/**
 * Two instances of the app on one database, each with its own pools, caches and LISTEN connection (two Nest
 * apps in this process; in the pgbouncer jest project both go through PgBouncer, LISTEN directly). The
 * failure throttle's periodic purge is an idempotent DELETE of expired windows, harmless on every instance.
 */
describe('two instances on one database', () => {
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

  const onB = (path: string, key: string) => request(b.getHttpServer()).get(path).set('X-API-Key', key);
  const admin = (req: request.Test) => req.set('X-Admin-Key', TEST_ADMIN_KEY);

  /** Resolves when instance B has been told (LISTEN/NOTIFY) of this change; B acts on it before this resolves. */
  function toldB(tenantId: string, reason: TenantChangeReason): Promise<void> {
    return new Promise((resolve) =>
      b.get(TenantEventsService).subscribe((change) => {
        if (change !== 'resync' && change.tenantId === tenantId && change.reason === reason) resolve();
      }),
    );
  }

  async function tenantServedByB(): Promise<TenantWithKey> {
    const created = await a.createTenant();
    await onB('/tenant-info', created.apiKey).expect(200); // B has verified and cached the key
    return created;
  }

  describe('a change made on one is refused by the other at once', () => {
    it('a regenerated key: the old one is refused by B, the new one accepted', async () => {
      const { tenant, apiKey } = await tenantServedByB();
      const told = toldB(tenant.id, 'key-regenerated');
      const res = await admin(a.http().post(`/tenants/${tenant.id}/regenerate-api-key`)).expect(200);
      await told;
      await onB('/tenant-info', apiKey).expect(401);
      await onB('/tenant-info', res.body.apiKey).expect(200);
    });

    it('a deactivation: B answers 403, and 200 again after reactivation', async () => {
      const { tenant, apiKey } = await tenantServedByB();
      let told = toldB(tenant.id, 'updated');
      await admin(a.http().put(`/tenants/${tenant.id}`)).send({ isActive: false }).expect(200);
      await told;
      await onB('/tenant-info', apiKey).expect(403);
      told = toldB(tenant.id, 'updated');
      await admin(a.http().put(`/tenants/${tenant.id}`)).send({ isActive: true }).expect(200);
      await told;
      await onB('/tenant-info', apiKey).expect(200);
    });

    it('a purge: B refuses the key and no longer reaches the schema', async () => {
      const { tenant, apiKey } = await tenantServedByB();
      await request(b.getHttpServer()).get('/targets').set('X-API-Key', apiKey).expect(200); // B knows the key and the schema
      const told = toldB(tenant.id, 'purged');
      await a.app.get(TenantDeletionService).purge(tenant.id);
      await told;
      await onB('/tenant-info', apiKey).expect(401);
      await request(b.getHttpServer()).get('/targets').set('X-API-Key', apiKey).expect(401);
    });
  });

  it("a key regenerated while B's LISTEN connection is down is refused by B once it reconnects (the notice it missed)", async () => {
    const { tenant, apiKey } = await tenantServedByB();
    const events = b.get(TenantEventsService);
    const internals = events as unknown as { client?: { processID: number }; open(): Promise<void> };
    // B's reconnection waits until the change has committed: its notification is sent while nobody on B listens.
    let reconnect!: () => void;
    const changed = new Promise<void>((resolve) => (reconnect = resolve));
    const open = internals.open.bind(events);
    let reconnecting!: () => void;
    const lost = new Promise<void>((resolve) => (reconnecting = resolve));
    const spy = jest.spyOn(internals, 'open').mockImplementationOnce(async () => {
      reconnecting();
      await changed;
      return open();
    });
    const resynced = new Promise<void>((resolve) => events.subscribe((change) => change === 'resync' && resolve()));
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      await a.db.query('SELECT pg_terminate_backend($1)', [internals.client!.processID]);
      await lost;
      await admin(a.http().post(`/tenants/${tenant.id}/regenerate-api-key`)).expect(200);
      reconnect();
      await resynced;
      // From an address of its own: the loopback client's failures count towards the throttle of the other tests.
      await onB('/tenant-info', apiKey).set('X-Forwarded-For', '203.0.113.78').expect(401);
    } finally {
      spy.mockRestore();
      warn.mockRestore();
    }
  });

  it('shares the failed-authentication throttle: failures on both add up to the limit', async () => {
    const fail = (app: NestExpressApplication) =>
      request(app.getHttpServer()).get('/tenant-info').set('X-Forwarded-For', '203.0.113.77').set('X-API-Key', generateApiKey().key);
    const statuses: number[] = [];
    for (const app of [a.app, b, a.app, b]) statuses.push((await fail(app)).status);
    expect(statuses).toEqual([401, 401, 401, 401]); // two on each: neither alone has reached 4
    expect((await fail(a.app)).status).toBe(429);
    expect((await fail(b)).status).toBe(429);
  });

  describe('the spare-schema pool', () => {
    const spareCount = async () => {
      const [ledger] = await a.db.query(`SELECT count(*)::int AS n FROM "shared"."schema_versions" WHERE "kind" = 'spare'`);
      const [schemas] = await a.db.query(`SELECT count(*)::int AS n FROM pg_namespace WHERE nspname LIKE 'spare\\_%'`);
      return { ledger: ledger.n, schemas: schemas.n };
    };

    it('is filled once to its size when both instances refill at the same time, and again after claims', async () => {
      const refillBoth = () => Promise.all([a.app.get(SpareSchemaPoolService).refill(), b.get(SpareSchemaPoolService).refill()]);
      expect(await spareCount()).toEqual({ ledger: 0, schemas: 0 }); // the test server never refills in the background
      const first = await refillBoth();
      expect(first[0] + first[1]).toBe(2);
      expect(await spareCount()).toEqual({ ledger: 2, schemas: 2 });

      // Two tenants take both spares (one provisioned on each instance), then both refill again.
      await a.createTenant();
      await b.get(TenantsService).create('On B', `onb${process.pid}`);
      expect(await spareCount()).toEqual({ ledger: 0, schemas: 0 });
      const second = await refillBoth();
      expect(second[0] + second[1]).toBe(2);
      expect(await spareCount()).toEqual({ ledger: 2, schemas: 2 });
    });
  });

  it('a worker claims a job on one instance and completes it on the other', async () => {
    const tenant = await tenantClient(a);
    const target = await createTarget(tenant);
    const created = await tenant.post('/jobs', { targetId: target.id, type: 'build' }).expect(201);
    const onBAs = (req: request.Test) => req.set('X-API-Key', tenant.apiKey);

    const claimed = await onBAs(request(b.getHttpServer()).post('/jobs/claim')).send({ workerId: 'worker-1' }).expect(200);
    expect(claimed.body).toMatchObject({ id: created.body.id, status: 'running', workerId: 'worker-1', attempts: 1 });
    await tenant.post(`/jobs/${created.body.id}/heartbeat`, { workerId: 'worker-1' }).expect(200);
    const done = await tenant.post(`/jobs/${created.body.id}/complete`, { workerId: 'worker-1', result: { ok: true } }).expect(200);
    expect(done.body).toMatchObject({ status: 'succeeded', result: { ok: true } });

    const seenByB = await onBAs(request(b.getHttpServer()).get(`/jobs/${created.body.id}`)).expect(200);
    expect(seenByB.body).toMatchObject({ status: 'succeeded', workerId: 'worker-1', result: { ok: true }, leaseExpiresAt: null });
    // Completing again, on either instance, is refused: the lease is gone.
    await onBAs(request(b.getHttpServer()).post(`/jobs/${created.body.id}/complete`)).send({ workerId: 'worker-1' }).expect(409);
  });
});
