import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource, QueryFailedError, QueryRunnerAlreadyReleasedError } from 'typeorm';
import { toErrorResponse } from '../src/http/error-response';
import { TenantDeletionService } from '../src/tenancy/registry/tenant-deletion.service';
import { mapConcurrent } from '../src/common/concurrency';
import { createTarget, tenantClient } from './utils/domain-fixtures';
import { buildApp, closeApp, createTestApp, TEST_ADMIN_KEY, TestApp } from './utils/test-app';

const UNAVAILABLE = { statusCode: 503, error: 'Service Unavailable', message: 'Database unavailable', requestId: expect.any(String) };

/** Failures of the database under a request: a 503 with Retry-After (or the lasting answer), never a 500. */
describe('outage errors', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('real driver errors map to 503 with Retry-After', () => {
    it('a statement timeout (57014) from pg_sleep, raw and through TypeORM', async () => {
      const client = new Client({ connectionString: t.databaseUrl });
      await client.connect();
      try {
        await client.query('SET statement_timeout = 50'); // this test connection only
        const raw = await client.query('SELECT pg_sleep(5)').catch((error: unknown) => error);
        expect((raw as { code?: string }).code).toBe('57014');
        expect(toErrorResponse(raw)).toEqual({ body: { ...UNAVAILABLE, requestId: undefined }, retryAfterSeconds: 5 });
      } finally {
        await client.end();
      }
      const viaTypeOrm = await t.db
        .transaction(async (manager) => {
          await manager.query(`SELECT set_config('statement_timeout', '50', true)`);
          await manager.query('SELECT pg_sleep(5)');
        })
        .catch((error: unknown) => error);
      expect(toErrorResponse(viaTypeOrm).body.statusCode).toBe(503);
    });

    it('a query runner released under the request', async () => {
      const runner = t.db.createQueryRunner();
      await runner.release();
      const error = await runner.query('SELECT 1').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QueryRunnerAlreadyReleasedError);
      expect(toErrorResponse(error)).toMatchObject({ body: { statusCode: 503 }, retryAfterSeconds: 5 });
    });

    it('a connection terminated by the server mid-session', async () => {
      const client = new Client({ connectionString: t.databaseUrl });
      client.on('error', () => undefined); // the termination is also emitted
      await client.connect();
      const [{ pid }] = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
      await t.db.query('SELECT pg_terminate_backend($1)', [pid]);
      const error = await client.query('SELECT 1').catch((e: unknown) => e);
      await client.end().catch(() => undefined);
      expect(toErrorResponse(error)).toMatchObject({ body: { statusCode: 503 }, retryAfterSeconds: 5 });
    });
  });

  it('a PATCH held up by a row lock past DB_STATEMENT_TIMEOUT_MS is 503 with Retry-After, and changes nothing', async () => {
    const a = await tenantClient(t);
    const target = await createTarget(a);
    const { app: slow } = await buildApp(t.databaseUrl, { DB_STATEMENT_TIMEOUT_MS: '300' });
    const locker = new Client({ connectionString: t.databaseUrl });
    await locker.connect();
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      await locker.query('BEGIN');
      await locker.query(`SELECT 1 FROM "${a.schema}"."targets" WHERE "id" = $1 FOR UPDATE`, [target.id]);
      const res = await request(slow.getHttpServer()).patch(`/targets/${target.id}`).set('X-API-Key', a.apiKey).send({ name: 'renamed' });
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body).toEqual(UNAVAILABLE);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
      warn.mockRestore();
      await closeApp(slow);
    }
    expect((await a.get(`/targets/${target.id}`).expect(200)).body.name).toBe(target.name);
  });

  it('an operator change whose BEGIN times out (a stalled database) is 503 and gives its connection back to the pool', async () => {
    const { app: small } = await buildApp(t.databaseUrl, { SHARED_POOL_MAX: '1' });
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const { tenant } = await t.createTenant();
      const shared = small.get(DataSource);
      const createQueryRunner = shared.createQueryRunner.bind(shared);
      let stall = true; // the next transaction to begin
      jest.spyOn(shared, 'createQueryRunner').mockImplementation((...args) => {
        const runner = createQueryRunner(...args);
        const startTransaction = runner.startTransaction.bind(runner);
        runner.startTransaction = (...level) => {
          if (!stall) return startTransaction(...level);
          stall = false;
          return Promise.reject(new QueryFailedError('START TRANSACTION', undefined, new Error('Query read timeout')));
        };
        return runner;
      });
      const createKey = (name: string) => request(small.getHttpServer()).post(`/tenants/${tenant.id}/keys`).set('X-Admin-Key', TEST_ADMIN_KEY).send({ name });
      const stalled = await createKey('stalled');
      expect(stalled.status).toBe(503);
      expect(stalled.body).toEqual(UNAVAILABLE);
      // The one shared connection serves the next change (it would wait for it, then 503, had it been kept).
      expect((await createKey('next')).status).toBe(201);
    } finally {
      warn.mockRestore();
      await closeApp(small);
    }
  });

  describe('a tenant purged while its requests are in flight', () => {
    it('a request that finds its schema gone is 503 with Retry-After, then 401 once the purge is known', async () => {
      const a = await tenantClient(t);
      const target = await createTarget(a);
      await a.get('/targets').expect(200); // the key and the schema's ledger check are cached now
      // The schema goes first, as inside the purge's transaction, while the registry still lists the tenant.
      await t.db.query(`DROP SCHEMA "${a.schema}" CASCADE`);
      for (const res of [await a.get('/targets'), await a.get(`/jobs?targetId=${target.id}`), await a.post('/targets', { name: 'n', address: 'x' })]) {
        expect(res.status).toBe(503);
        expect(res.headers['retry-after']).toBe('1');
        expect(res.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'Tenant data is unavailable; retry shortly', requestId: expect.any(String) });
        expect(res.text).not.toContain(a.schema);
      }
      await t.app.get(TenantDeletionService).purge(a.id); // the rest of the purge, and its notification
      let status = 503;
      for (let i = 0; i < 50 && status === 503; i++) {
        status = (await a.get('/targets')).status;
        if (status === 503) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(status).toBe(401);
    });

    it('concurrent requests during a purge get 2xx, 401, 404 or 503, never 500', async () => {
      const errors = jest.spyOn(Logger.prototype, 'error');
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      try {
        for (let round = 0; round < 3; round++) {
          const a = await tenantClient(t);
          const targets = await Promise.all(Array.from({ length: 3 }, () => createTarget(a)));
          await a.get('/targets').expect(200);
          const statuses: number[] = [];
          const requests = mapConcurrent(Array.from({ length: 120 }, (_, i) => i), 8, async (i) => {
            const target = targets[i % targets.length];
            const res = await [
              () => a.get('/targets'),
              () => a.get(`/targets/${target.id}`),
              () => a.post('/jobs', { targetId: target.id, type: 'x' }),
              () => a.get(`/jobs?targetId=${target.id}`),
              () => a.post('/sessions', { targetId: target.id }),
              () => a.patch(`/targets/${target.id}`, { kind: `k${i}` }),
            ][i % 6]();
            statuses.push(res.status);
          });
          await new Promise((resolve) => setTimeout(resolve, 20 * round));
          await t.app.get(TenantDeletionService).purge(a.id);
          await requests;
          expect(statuses.filter((status) => ![200, 201, 401, 404, 503].includes(status))).toEqual([]);
          expect((await a.get('/targets')).status).toBe(401);
        }
        expect(errors).not.toHaveBeenCalled();
      } finally {
        errors.mockRestore();
        warn.mockRestore();
      }
    });
  });

  describe('methods a route lacks', () => {
    it.each([
      ['DELETE', '/targets', 'GET, HEAD, POST'],
      ['PUT', '/targets/00000000-0000-4000-8000-000000000000', 'DELETE, GET, HEAD, PATCH'],
      ['PATCH', '/jobs/00000000-0000-4000-8000-000000000000/logs', 'GET, HEAD, POST'],
      ['DELETE', '/jobs/claim', 'GET, HEAD, POST'], // GET /jobs/claim is GET /jobs/{id} (a 400: not a UUID)
      ['POST', '/health/ready', 'GET, HEAD'],
      ['DELETE', '/tenants', 'GET, HEAD, POST'],
      ['POST', '/tenant-info', 'GET, HEAD'],
      ['PUT', '/docs-json', 'GET, HEAD'],
    ])('%s %s is 405 with Allow: %s, before authentication', async (method, path, allow) => {
      const res = await t.http()[method.toLowerCase() as 'put'](path);
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe(allow);
      expect(res.body).toEqual({ statusCode: 405, error: 'Method Not Allowed', message: expect.stringContaining(method), requestId: expect.any(String) });
    });

    it('unknown paths stay 404, and a 404 from a route that exists for the method stays 404', async () => {
      expect((await t.http().get('/nope')).status).toBe(404);
      expect((await t.http().delete('/targets/a/b')).status).toBe(404);
      const { apiKey } = await t.createTenant();
      const missing = await t.http().get('/targets/00000000-0000-4000-8000-000000000000').set('X-API-Key', apiKey);
      expect(missing.status).toBe(404);
      expect(missing.headers.allow).toBeUndefined();
      const admin = await t.http().get('/tenants/00000000-0000-4000-8000-000000000000').set('X-Admin-Key', TEST_ADMIN_KEY);
      expect(admin.status).toBe(404);
    });
  });

  it('GET /health/ready answers 503 with Retry-After while the database refuses connections', async () => {
    const [{ name }] = await t.db.query(`SELECT current_database() AS "name"`);
    const admin = new Client({ connectionString: process.env.TENANTRY_TEST_ADMIN_URL });
    await admin.connect();
    const database = admin.escapeIdentifier(name);
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      await admin.query(`ALTER DATABASE ${database} WITH ALLOW_CONNECTIONS false`);
      await admin.query(`SELECT pg_terminate_backend("pid") FROM pg_stat_activity WHERE "datname" = $1`, [name]);
      let res = await t.http().get('/health/ready');
      if (res.status === 200) res = await t.http().get('/health/ready'); // a pooled connection not yet known dead
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body).toEqual(UNAVAILABLE);
    } finally {
      await admin.query(`ALTER DATABASE ${database} WITH ALLOW_CONNECTIONS true`);
      await admin.end();
      warn.mockRestore();
    }
  });
});
