import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { buildApp, closeApp, createTestApp, TEST_ADMIN_KEY, TestApp } from './utils/test-app';
import { tenantChangeHeard } from './utils/tenant-change-heard';

describe('operations routes', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('GET /health answers 200 { status: "ok" } without a key', async () => {
    const res = await t.http().get('/health').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(res.headers['x-request-id']).toBeDefined();
  });

  it('GET /health/ready answers 200 while the database answers', async () => {
    const res = await t.http().get('/health/ready').expect(200);
    expect(res.body).toMatchObject({ status: 'ok' });
  });

  it('GET /docs serves the Swagger UI', async () => {
    const res = await t.http().get('/docs').redirects(1).expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toMatch(/swagger-ui/i);
  });

  it('GET /docs-json is an OpenAPI 3 document with both security schemes and every tenancy route', async () => {
    const res = await t.http().get('/docs-json').expect(200);
    const doc = res.body;
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.components.securitySchemes).toEqual(
      expect.objectContaining({
        tenantApiKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
        adminApiKey: expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-Admin-Key' }),
      }),
    );
    const paths = doc.paths as Record<string, Record<string, { security?: Array<Record<string, unknown>>; responses: Record<string, unknown> }>>;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining(['/tenants', '/tenants/{id}', '/tenants/{id}/regenerate-api-key', '/tenants/{id}/restore', '/tenant-info', '/health', '/health/ready']),
    );
    expect(Object.keys(paths['/tenants']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(paths['/tenants/{id}']).sort()).toEqual(['delete', 'get', 'put']);
    for (const operation of [paths['/tenants'].get, paths['/tenants'].post, paths['/tenants/{id}'].put, paths['/tenants/{id}'].delete,
      paths['/tenants/{id}/regenerate-api-key'].post, paths['/tenants/{id}/restore'].post]) {
      expect(operation.security).toEqual(expect.arrayContaining([{ adminApiKey: [] }]));
      expect(operation.responses).toHaveProperty('401');
    }
    expect(paths['/tenant-info'].get.security).toEqual(expect.arrayContaining([{ tenantApiKey: [] }]));
    expect(paths['/tenant-info'].get.responses).toEqual(expect.objectContaining({ '200': expect.anything(), '401': expect.anything(), '403': expect.anything() }));
    expect(paths['/health'].get.security ?? []).toEqual([]);
    expect(paths['/tenants'].post.responses).toEqual(expect.objectContaining({ '201': expect.anything(), '409': expect.anything() }));
  });

  it('GET /health/ready answers 503 while the database refuses connections, and 200 once it is back', async () => {
    // The test database is this file's own clone, so it can be closed to connections without disturbing other
    // files. The statements run from the server's maintenance database (a database cannot close itself).
    const [{ name }] = await t.db.query(`SELECT current_database() AS "name"`);
    const admin = new Client({ connectionString: process.env.TENANTRY_TEST_ADMIN_URL });
    await admin.connect();
    const database = admin.escapeIdentifier(name);
    const errorLog = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined); // the expected 503s
    try {
      await admin.query(`ALTER DATABASE ${database} WITH ALLOW_CONNECTIONS false`);
      await admin.query(`SELECT pg_terminate_backend("pid") FROM pg_stat_activity WHERE "datname" = $1`, [name]);
      // Every pooled connection is gone and no new one is allowed: the probe must fail (possibly after a first
      // attempt on a connection the pool has not yet noticed is dead).
      let res = await t.http().get('/health/ready');
      if (res.status === 200) res = await t.http().get('/health/ready');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: expect.any(String), requestId: expect.any(String) });
      expect(res.text).not.toMatch(/postgres:\/\/|password|not currently accepting/);
      await t.http().get('/health').expect(200); // liveness does not depend on the database
    } finally {
      await admin.query(`ALTER DATABASE ${database} WITH ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i++) {
      status = (await t.http().get('/health/ready')).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    errorLog.mockRestore();
    expect(status).toBe(200);
  });

  it('reconnects the cache-invalidation listener after the outage, so other instances\' changes arrive again', async () => {
    const listeners = async (): Promise<number> => {
      const [{ n }] = await t.db.query(
        `SELECT count(*)::int AS "n" FROM pg_stat_activity WHERE "datname" = current_database() AND "application_name" = 'tenantry:listen'`,
      );
      return n;
    };
    // The previous test cut every connection; the listener retries every second.
    const deadline = Date.now() + 10_000;
    while ((await listeners()) < 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await listeners()).toBe(1);

    const tenant = await t.createTenant();
    await t.http().get('/tenant-info').set('X-API-Key', tenant.apiKey).expect(200); // cached for 60 s
    const { app: second } = await buildApp(t.databaseUrl);
    try {
      // Heard over the reconnected LISTEN connection (a cache expiry would take 60 s).
      const heard = tenantChangeHeard(t.app, tenant.tenant.id, 'key-regenerated');
      await request(second.getHttpServer())
        .post(`/tenants/${tenant.tenant.id}/regenerate-api-key`)
        .set('X-Admin-Key', TEST_ADMIN_KEY)
        .expect(200);
      await heard;
      await t.http().get('/tenant-info').set('X-API-Key', tenant.apiKey).expect(401);
    } finally {
      await closeApp(second);
    }
  });
  it('names every connection of an instance after INSTANCE_NAME in pg_stat_activity, the LISTEN one included', async () => {
    const { app } = await buildApp(t.databaseUrl, { INSTANCE_NAME: 'probe-instance' });
    try {
      const tenant = await t.createTenant();
      await request(app.getHttpServer()).get('/targets').set('X-API-Key', tenant.apiKey).expect(200);
      const names = async (): Promise<string[]> =>
        (
          await t.db.query(
            `SELECT DISTINCT "application_name" AS "name" FROM pg_stat_activity
              WHERE "datname" = current_database() AND "application_name" LIKE 'probe-instance%' ORDER BY 1`,
          )
        ).map((row: { name: string }) => row.name);
      const deadline = Date.now() + 10_000;
      while ((await names()).length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await names()).toEqual(['probe-instance:listen', 'probe-instance:shared', 'probe-instance:tenant']);
    } finally {
      await closeApp(app);
    }
  });
});
