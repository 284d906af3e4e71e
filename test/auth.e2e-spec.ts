import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { generateApiKey, parseApiKey } from '../src/tenancy/auth/api-key';
import { TenantConnectionProvider } from '../src/database/tenant-connections/tenant-connection.provider';
import type { TenantWithKey } from '../src/tenancy/registry/tenants.service';
import { TenantDeletionService } from '../src/tenancy/registry/tenant-deletion.service';
import { buildAppWithProbe } from './utils/tenant-probe';
import { buildApp, closeApp, createTestApp, TEST_ADMIN_KEY, TestApp, uniqueSlug } from './utils/test-app';
import { tenantChangeHeard } from './utils/tenant-change-heard';
import { withClient } from './utils/test-database';
import { forgedKeyFor } from './utils/forged-key';

const TENANT_INFO_KEYS = ['createdAt', 'id', 'isActive', 'key', 'name', 'schemaName', 'slug'];
const ERROR_KEYS = ['error', 'message', 'requestId', 'statusCode'];

const withoutRequestId = (body: Record<string, unknown>) => ({ ...body, requestId: undefined });

describe('tenant authentication (X-API-Key)', () => {
  let t: TestApp;
  let acme: TenantWithKey;

  beforeAll(async () => {
    t = await createTestApp();
    acme = await t.createTenant();
  });
  afterAll(async () => {
    await t?.close();
  });

  const admin = (req: request.Test) => req.set('X-Admin-Key', TEST_ADMIN_KEY);

  it('answers GET /tenant-info with exactly the caller\'s registry entry', async () => {
    const res = await t.http().get('/tenant-info').set('X-API-Key', acme.apiKey).expect(200);
    expect(Object.keys(res.body).sort()).toEqual(TENANT_INFO_KEYS);
    expect(res.body).toEqual({
      id: acme.tenant.id,
      name: acme.tenant.name,
      slug: acme.tenant.slug,
      schemaName: acme.tenant.schemaName,
      isActive: true,
      createdAt: acme.tenant.createdAt.toISOString(),
      key: { id: parseApiKey(acme.apiKey)!.keyId, name: 'default', scopes: ['read', 'write', 'worker'], expiresAt: null },
    });
    expect(res.body.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('answers each tenant with its own entry', async () => {
    const other = await t.createTenant();
    const [a, b] = await Promise.all([
      t.http().get('/tenant-info').set('X-API-Key', acme.apiKey).expect(200),
      t.http().get('/tenant-info').set('X-API-Key', other.apiKey).expect(200),
    ]);
    expect(a.body.id).toBe(acme.tenant.id);
    expect(b.body.id).toBe(other.tenant.id);
    expect(b.body.schemaName).toBe(other.tenant.schemaName);
  });

  it('answers 401 "Missing API key" without a key, or with an empty one', async () => {
    for (const req of [t.http().get('/tenant-info'), t.http().get('/tenant-info').set('X-API-Key', '')]) {
      const res = await req.expect(401);
      expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Missing API key', requestId: expect.any(String) });
    }
  });

  describe('a request without a key that could be let in: its body is not read', () => {
    const raw = (req: request.Test, body: string) => req.set('Content-Type', 'application/json').send(body);
    const huge = JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }); // over BODY_LIMIT (1mb)

    it.each([
      ['no key, malformed JSON', undefined, '{"name":', 'Missing API key'],
      ['no key, a body over the limit', undefined, huge, 'Missing API key'],
      ['a key that fails its checksum, malformed JSON', 'mistyped', '{"name":', 'Invalid API key'],
      ['a key that fails its checksum, a body over the limit', 'mistyped', huge, 'Invalid API key'],
    ])('%s: 401 before the body, and the connection closes', async (_label, key, body, message) => {
      let req = t.http().post('/targets');
      if (key === 'mistyped') req = req.set('X-API-Key', acme.apiKey.slice(0, -1) + (acme.apiKey.endsWith('A') ? 'B' : 'A'));
      const res = await raw(req, body);
      expect({ status: res.status, message: res.body.message }).toEqual({ status: 401, message });
      expect(res.headers.connection).toBe('close');
    });

    it('an admin route without its key: 401 before the body; no route: 404', async () => {
      const adminRes = await raw(t.http().post('/tenants'), '{"name":');
      expect({ status: adminRes.status, message: adminRes.body.message }).toEqual({ status: 401, message: 'Invalid admin key' });
      const none = await raw(t.http().post('/no-such-route'), '{"name":');
      expect(none.status).toBe(404);
    });

    it('a request with a key of the right shape has its body read: malformed JSON is 400, too large 413', async () => {
      expect((await raw(t.http().post('/targets').set('X-API-Key', acme.apiKey), '{"name":')).status).toBe(400);
      expect((await raw(t.http().post('/targets').set('X-API-Key', acme.apiKey), huge)).status).toBe(413);
      // An unknown key of the right shape is read as well (whether a key is known is not decided before the body).
      expect((await raw(t.http().post('/targets').set('X-API-Key', generateApiKey().key), '{"name":')).status).toBe(400);
      expect((await raw(admin(t.http().post('/tenants')), '{"name":')).status).toBe(400);
    });
  });

  it('answers every invalid key with the same 401 "Invalid API key" body', async () => {
    const regenerated = await t.createTenant();
    const oldKey = regenerated.apiKey;
    await admin(t.http().post(`/tenants/${regenerated.tenant.id}/regenerate-api-key`)).expect(200);

    const invalid: Record<string, string> = {
      malformed: 'not-a-key',
      'mistyped (bad checksum)': acme.apiKey.slice(0, -1) + (acme.apiKey.endsWith('A') ? 'B' : 'A'),
      'unknown key id': generateApiKey().key,
      'wrong secret': forgedKeyFor(acme.apiKey),
      'replaced by regeneration': oldKey,
      'SQL in the header': "tnt_' OR '1'='1",
      'admin key as tenant key': TEST_ADMIN_KEY,
    };
    const bodies: Record<string, unknown> = {};
    for (const [label, key] of Object.entries(invalid)) {
      const res = await t.http().get('/tenant-info').set('X-API-Key', key);
      expect({ label, status: res.status }).toEqual({ label, status: 401 });
      expect(Object.keys(res.body).sort()).toEqual(ERROR_KEYS);
      expect(res.body.requestId).toBe(res.headers['x-request-id']);
      bodies[label] = withoutRequestId(res.body);
    }
    for (const body of Object.values(bodies)) {
      expect(body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Invalid API key', requestId: undefined });
    }
    // The valid key still works after all of that.
    await t.http().get('/tenant-info').set('X-API-Key', acme.apiKey).expect(200);
  });

  it.each(['apiKey', 'api_key', 'X-API-Key', 'x-api-key', 'key'])('never takes the key from the query string (?%s=)', async (param) => {
    const res = await t
      .http()
      .get(`/tenant-info?${param}=${encodeURIComponent(acme.apiKey)}`)
      .expect(401);
    expect(res.body.message).toBe('Missing API key');
  });

  it('answers 403 "Tenant is deactivated" for a deactivated tenant, and 200 again once reactivated', async () => {
    const tenant = await t.createTenant();
    await t.http().get('/tenant-info').set('X-API-Key', tenant.apiKey).expect(200); // cached now

    await admin(t.http().put(`/tenants/${tenant.tenant.id}`)).send({ isActive: false }).expect(200);
    const denied = await t.http().get('/tenant-info').set('X-API-Key', tenant.apiKey).expect(403);
    expect(denied.body).toEqual({ statusCode: 403, error: 'Forbidden', message: 'Tenant is deactivated', requestId: expect.any(String) });

    // A wrong secret for a deactivated tenant is still just an invalid key (no oracle).
    const wrong = await t.http().get('/tenant-info').set('X-API-Key', forgedKeyFor(tenant.apiKey)).expect(401);
    expect(wrong.body.message).toBe('Invalid API key');

    await admin(t.http().put(`/tenants/${tenant.tenant.id}`)).send({ isActive: true }).expect(200);
    const back = await t.http().get('/tenant-info').set('X-API-Key', tenant.apiKey).expect(200);
    expect(back.body.isActive).toBe(true);
  });

  it('never lets a tenant key open an operator route', async () => {
    for (const headers of [{ 'X-API-Key': acme.apiKey }, { 'X-Admin-Key': acme.apiKey }]) {
      const list = await t.http().get('/tenants').set(headers).expect(401);
      expect(Object.keys(list.body).sort()).toEqual(ERROR_KEYS);
      await t.http().get(`/tenants/${acme.tenant.id}`).set(headers).expect(401);
      await t.http().post(`/tenants/${acme.tenant.id}/regenerate-api-key`).set(headers).expect(401);
    }
    // The key was not regenerated behind our back.
    await t.http().get('/tenant-info').set('X-API-Key', acme.apiKey).expect(200);
  });

  it('puts X-Request-Id on every response, echoing a plain client id and replacing an unsafe one', async () => {
    const responses = await Promise.all([
      t.http().get('/tenant-info').set('X-API-Key', acme.apiKey),
      t.http().get('/tenant-info'),
      t.http().get('/no-such-route'),
      t.http().get('/health'),
      admin(t.http().get('/tenants')),
    ]);
    const ids = responses.map((res) => res.headers['x-request-id']);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(ids).size).toBe(ids.length);

    const echoed = await t.http().get('/tenant-info').set('X-API-Key', acme.apiKey).set('X-Request-Id', 'client-req.42:a_b').expect(200);
    expect(echoed.headers['x-request-id']).toBe('client-req.42:a_b');
    const failed = await t.http().get('/tenant-info').set('X-Request-Id', 'client-req-43').expect(401);
    expect(failed.headers['x-request-id']).toBe('client-req-43');
    expect(failed.body.requestId).toBe('client-req-43');

    for (const unsafe of ['has space', 'x'.repeat(129), 'a"b', 'a\tb']) {
      const res = await t.http().get('/health').set('X-Request-Id', unsafe).expect(200);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('gives every error the body { statusCode, error, message, requestId }', async () => {
    const responses = [
      await t.http().get('/tenant-info').expect(401),
      await t.http().get('/no-such-route').expect(404),
      await admin(t.http().get('/tenants/not-a-uuid')).expect(400),
      await admin(t.http().post('/tenants')).set('Content-Type', 'application/json').send('{"name":').expect(400),
    ];
    for (const res of responses) {
      expect(Object.keys(res.body).sort()).toEqual(ERROR_KEYS);
      expect(res.body.statusCode).toBe(res.status);
      expect(res.body.requestId).toBe(res.headers['x-request-id']);
      expect(res.headers['content-type']).toMatch(/application\/json/);
    }
  });

  it('never answers a key hash or salt, and no key id but the calling key\'s own (public, API.md "Keys")', async () => {
    const created = await admin(t.http().post('/tenants')).send({ name: 'Hash check', slug: uniqueSlug('h') }).expect(201);
    const id = created.body.tenant.id;
    const [row] = await t.db.query(`SELECT "hash" AS "api_key_hash", "id" AS "api_key_id" FROM "shared"."api_keys" WHERE "tenant_id" = $1 AND "revoked_at" IS NULL`, [id]);
    const regenerated = await admin(t.http().post(`/tenants/${id}/regenerate-api-key`)).expect(200);
    const [rowAfter] = await t.db.query(`SELECT "hash" AS "api_key_hash", "id" AS "api_key_id" FROM "shared"."api_keys" WHERE "tenant_id" = $1 AND "revoked_at" IS NULL`, [id]);
    const responses = [
      created,
      regenerated,
      await admin(t.http().get('/tenants?limit=100')).expect(200),
      await admin(t.http().get(`/tenants/${id}`)).expect(200),
      await admin(t.http().put(`/tenants/${id}`)).send({ name: 'Renamed' }).expect(200),
      await t.http().get('/tenant-info').set('X-API-Key', regenerated.body.apiKey).expect(200),
    ];
    for (const { text } of responses) {
      expect(text).not.toMatch(/pbkdf2|apiKeyHash|api_key_hash|apiKeyId|salt/i);
      for (const stored of [row, rowAfter]) {
        const [, , salt, hash] = stored.api_key_hash.split('$');
        expect(text).not.toContain(salt);
        expect(text).not.toContain(hash);
      }
    }
    // The key ids are public now, yet only the calling key's own is ever answered to a tenant.
    const info = responses[responses.length - 1];
    expect(info.body.key.id).toBe(rowAfter.api_key_id);
    expect(info.text).not.toContain(`"${row.api_key_id}"`);
  });

  describe('a refused request does no tenant work', () => {
    let probeApp: NestExpressApplication;

    beforeAll(async () => {
      ({ app: probeApp } = await buildAppWithProbe(t.databaseUrl));
    });
    afterAll(async () => {
      if (probeApp) await closeApp(probeApp);
    });

    // On a connection of its own: through PgBouncer (the pgbouncer jest project) a backend shows the
    // application_name of the last client it served, and the app's own pool would relabel it.
    const tenantConnections = async (): Promise<number> => {
      const { rows } = await withClient(t.databaseUrl, (client) =>
        client.query<{ n: number }>(
          `SELECT count(*)::int AS "n" FROM pg_stat_activity WHERE "datname" = current_database() AND "application_name" = $1`,
          [`${t.config.INSTANCE_NAME}:tenant`],
        ),
      );
      return rows[0].n;
    };

    it('opens no tenant DataSource and no tenant connection for missing, malformed, unknown or wrong keys', async () => {
      const connections = probeApp.get(TenantConnectionProvider);
      const regenerated = await t.createTenant();
      await admin(t.http().post(`/tenants/${regenerated.tenant.id}/regenerate-api-key`)).expect(200);
      const keys = [undefined, '', 'garbage', generateApiKey().key, forgedKeyFor(acme.apiKey), regenerated.apiKey];
      const server = probeApp.getHttpServer();
      for (let round = 0; round < 5; round++) {
        const responses = await Promise.all(
          keys.map((key) => (key === undefined ? request(server).get('/__probe') : request(server).get('/__probe').set('X-API-Key', key))),
        );
        for (const res of responses) expect(res.status).toBe(401);
      }
      expect(connections.openCount).toBe(0);
      expect(await tenantConnections()).toBe(0);

      // The same route with a valid key does open one (so the checks above can fail).
      const ok = await request(server).get('/__probe').set('X-API-Key', acme.apiKey).expect(200);
      expect(ok.body).toEqual({ schema: acme.tenant.schemaName });
      expect(connections.openCount).toBe(1);
      expect(await tenantConnections()).toBeGreaterThanOrEqual(1);
    });

    it('opens no DataSource for a deactivated tenant', async () => {
      const connections = probeApp.get(TenantConnectionProvider);
      const before = connections.openCount;
      const sleeper = await t.createTenant();
      await admin(t.http().put(`/tenants/${sleeper.tenant.id}`)).send({ isActive: false }).expect(200);
      await request(probeApp.getHttpServer()).get('/__probe').set('X-API-Key', sleeper.apiKey).expect(403);
      expect(connections.openCount).toBe(before);
    });
  });

  /** The failure counters are shared by every instance on the database: each throttle test starts from none. */
  const resetFailures = () => t.db.query(`DELETE FROM "shared"."auth_failures"`);

  it('throttles repeated failures from one client with 429 and Retry-After', async () => {
    await resetFailures();
    const { app } = await buildApp(t.databaseUrl, { AUTH_FAILURE_LIMIT: '5', AUTH_FAILURE_WINDOW_SECONDS: '60' });
    try {
      const server = app.getHttpServer();
      const cached = await t.createTenant();
      const uncached = await t.createTenant();
      await request(server).get('/tenant-info').set('X-API-Key', cached.apiKey).expect(200);

      for (let i = 0; i < 5; i++) {
        await request(server).get('/tenant-info').set('X-API-Key', generateApiKey().key).expect(401);
      }
      const throttled = await request(server).get('/tenant-info').set('X-API-Key', generateApiKey().key).expect(429);
      expect(throttled.body).toEqual({
        statusCode: 429,
        error: 'Too Many Requests',
        message: expect.any(String),
        requestId: throttled.headers['x-request-id'],
      });
      const retryAfter = Number(throttled.headers['retry-after']);
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);

      // Malformed keys and even a valid but not yet verified key wait too (no PBKDF2 for a throttled client) ...
      await request(server).get('/tenant-info').set('X-API-Key', 'garbage').expect(429);
      await request(server).get('/tenant-info').set('X-API-Key', uncached.apiKey).expect(429);
      // ... while a key already verified keeps working, and the other instance (limit 10,000) still serves it.
      await request(server).get('/tenant-info').set('X-API-Key', cached.apiKey).expect(200);
      await t.http().get('/tenant-info').set('X-API-Key', uncached.apiKey).expect(200);
    } finally {
      await closeApp(app);
    }
  });

  describe('the throttle key behind a proxy (TRUST_PROXY)', () => {
    const failures = async (server: Parameters<typeof request>[0], forwardedFor: string, times: number) => {
      const statuses: number[] = [];
      for (let i = 0; i < times; i++) {
        const res = await request(server).get('/tenant-info').set('X-Forwarded-For', forwardedFor).set('X-API-Key', generateApiKey().key);
        statuses.push(res.status);
      }
      return statuses;
    };

    it('ignores X-Forwarded-For by default, so a client cannot pick a fresh address to escape the throttle', async () => {
      await resetFailures();
      const { app } = await buildApp(t.databaseUrl, { AUTH_FAILURE_LIMIT: '3', AUTH_FAILURE_WINDOW_SECONDS: '60' });
      try {
        const server = app.getHttpServer();
        expect(await failures(server, '203.0.113.1', 3)).toEqual([401, 401, 401]);
        expect(await failures(server, '203.0.113.2', 1)).toEqual([429]);
      } finally {
        await closeApp(app);
      }
    });

    it('counts each forwarded client on its own when the proxy in front is trusted', async () => {
      await resetFailures();
      const { app } = await buildApp(t.databaseUrl, { AUTH_FAILURE_LIMIT: '3', AUTH_FAILURE_WINDOW_SECONDS: '60', TRUST_PROXY: 'loopback' });
      try {
        const server = app.getHttpServer();
        expect(await failures(server, '203.0.113.1', 4)).toEqual([401, 401, 401, 429]);
        expect(await failures(server, '203.0.113.2', 1)).toEqual([401]);
        // A client behind the trusted proxy that prepends its own address is still counted by the proxy's entry.
        expect(await failures(server, '198.51.100.9, 203.0.113.1', 1)).toEqual([429]);
      } finally {
        await closeApp(app);
      }
    });
  });

  it('refuses a regenerated key on a second instance from when it hears of it', async () => {
    const { app: second } = await buildApp(t.databaseUrl);
    try {
      const tenant = await t.createTenant();
      const other = request(second.getHttpServer());
      // Warm the second instance's cache with the old key (its TTL is 60 s).
      await other.get('/tenant-info').set('X-API-Key', tenant.apiKey).expect(200);
      await other.get('/tenant-info').set('X-API-Key', tenant.apiKey).expect(200);

      const heard = tenantChangeHeard(second, tenant.tenant.id, 'key-regenerated');
      const regenerated = await admin(t.http().post(`/tenants/${tenant.tenant.id}/regenerate-api-key`)).expect(200);
      // The instance that regenerated refuses the old key at once; the other one from the notification on.
      await t.http().get('/tenant-info').set('X-API-Key', tenant.apiKey).expect(401);
      await heard;
      await request(second.getHttpServer()).get('/tenant-info').set('X-API-Key', tenant.apiKey).expect(401);
      await request(second.getHttpServer()).get('/tenant-info').set('X-API-Key', regenerated.body.apiKey).expect(200);
    } finally {
      await closeApp(second);
    }
  });

  it('refuses the key of a purged tenant at once, and on a second instance from when it hears of it', async () => {
    const { app: second } = await buildApp(t.databaseUrl);
    try {
      const tenant = await t.createTenant();
      const other = () => request(second.getHttpServer()).get('/tenant-info').set('X-API-Key', tenant.apiKey);
      await t.http().get('/tenant-info').set('X-API-Key', tenant.apiKey).expect(200);
      await other().expect(200);
      const heard = tenantChangeHeard(second, tenant.tenant.id, 'purged');
      await t.app.get(TenantDeletionService).purge(tenant.tenant.id);
      const gone = await t.http().get('/tenant-info').set('X-API-Key', tenant.apiKey).expect(401);
      expect(gone.body.message).toBe('Invalid API key');
      await heard;
      expect((await other().expect(401)).body.message).toBe('Invalid API key');
    } finally {
      await closeApp(second);
    }
  });

  it('refuses a deactivated tenant on a second instance from when it hears of it', async () => {
    const { app: second } = await buildApp(t.databaseUrl);
    try {
      const tenant = await t.createTenant();
      const other = () => request(second.getHttpServer()).get('/tenant-info').set('X-API-Key', tenant.apiKey);
      await other().expect(200);
      const heard = tenantChangeHeard(second, tenant.tenant.id, 'updated');
      await admin(t.http().put(`/tenants/${tenant.tenant.id}`)).send({ isActive: false }).expect(200);
      await heard;
      await other().expect(403);
    } finally {
      await closeApp(second);
    }
  });
});
