import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { generateApiKey } from '../src/tenancy/auth/api-key';
import { TenantChangeReason, TenantEventsService } from '../src/tenancy/registry/tenant-events.service';
import type { TenantWithKey } from '../src/tenancy/registry/tenants.service';
import { MISSING_ID } from './utils/domain-fixtures';
import { buildApp, checkedAgainstDocument, closeApp, createTestApp, TEST_ADMIN_KEY, TestApp } from './utils/test-app';

// Keys stay cached for the whole file: whatever an instance does differently after a change, the TTL did not do it.
const SETTINGS = { AUTH_CACHE_TTL_SECONDS: '3600' };
// Instance B has a default of its own (TENANT_RATE_LIMIT_RPS is per instance); A keeps the default (off).
const B_DEFAULT_RPS = 2;

/**
 * Per-tenant rate limits (API.md "Rate limits per tenant"): a token bucket per tenant in each instance's memory.
 * No test measures time: the limits refill at 1 request a second at most and the bursts are counted; a request
 * is refused within a bounded number of tries however slowly they run (up to seconds apart).
 */
describe('rate limits per tenant', () => {
  let a: TestApp;
  let b: NestExpressApplication;

  beforeAll(async () => {
    a = await createTestApp(SETTINGS);
    ({ app: b } = await buildApp(a.databaseUrl, { ...SETTINGS, TENANT_RATE_LIMIT_RPS: String(B_DEFAULT_RPS) }));
  });
  afterAll(async () => {
    if (b) await closeApp(b);
    await a?.close();
  });

  const admin = (req: request.Test) => req.set('X-Admin-Key', TEST_ADMIN_KEY);
  const onA = (path: string, key: string) => a.http().get(path).set('X-API-Key', key);
  const onB = (path: string, key: string) => checkedAgainstDocument(request(b.getHttpServer())).get(path).set('X-API-Key', key);
  const setLimit = (tenantId: string, rateLimit: unknown) => admin(a.http().put(`/tenants/${tenantId}`)).send({ rateLimit });

  async function limitedTenant(rateLimit: unknown): Promise<TenantWithKey> {
    const created = await a.createTenant();
    await setLimit(created.tenant.id, rateLimit).expect(200);
    return created;
  }

  /** Statuses of requests sent one after another until the first 429 (or `max` requests). */
  async function untilRefused(send: () => request.Test, max = 30): Promise<request.Response[]> {
    const answers: request.Response[] = [];
    while (answers.length < max) {
      const res = await send();
      answers.push(res);
      if (res.status === 429) break;
    }
    return answers;
  }

  /** Resolves when instance B has been told (LISTEN/NOTIFY) of this change; B acts on it before this resolves. */
  function toldB(tenantId: string, reason: TenantChangeReason): Promise<void> {
    return new Promise((resolve) =>
      b.get(TenantEventsService).subscribe((change) => {
        if (change !== 'resync' && change.tenantId === tenantId && change.reason === reason) resolve();
      }),
    );
  }

  it('is off by default: no 429 and no RateLimit headers', async () => {
    const { tenant, apiKey } = await a.createTenant();
    expect(tenant.rateLimitRps).toBeNull();
    for (let i = 0; i < 40; i++) {
      const res = await onA('/targets', apiKey).expect(200);
      expect(res.headers['ratelimit-policy']).toBeUndefined();
      expect(res.headers.ratelimit).toBeUndefined();
    }
  });

  describe('PUT /tenants/{id} rateLimit', () => {
    it('sets a limit (burst defaulting to the rate), shows it in the Tenant view, and audits the change', async () => {
      const { tenant } = await a.createTenant();
      const set = await setLimit(tenant.id, { requestsPerSecond: 50 }).expect(200);
      expect(set.body.rateLimit).toEqual({ requestsPerSecond: 50, burst: 50 });
      const wider = await setLimit(tenant.id, { requestsPerSecond: 50, burst: 120 }).expect(200);
      expect(wider.body.rateLimit).toEqual({ requestsPerSecond: 50, burst: 120 });
      expect((await admin(a.http().get(`/tenants/${tenant.id}`)).expect(200)).body.rateLimit).toEqual({ requestsPerSecond: 50, burst: 120 });
      const unlimited = await setLimit(tenant.id, { requestsPerSecond: 0 }).expect(200);
      expect(unlimited.body.rateLimit).toEqual({ requestsPerSecond: 0, burst: 0 });
      const cleared = await setLimit(tenant.id, null).expect(200);
      expect(cleared.body.rateLimit).toBeNull();

      const [row] = await a.db.query(`SELECT "rate_limit_rps", "rate_limit_burst" FROM "shared"."tenants" WHERE "id" = $1`, [tenant.id]);
      expect(row).toEqual({ rate_limit_rps: null, rate_limit_burst: null });
      const audit = await a.db.query(
        `SELECT "detail" FROM "shared"."audit_events" WHERE "tenant_id" = $1 AND "action" = 'tenant.updated' ORDER BY "at", "id"`,
        [tenant.id],
      );
      expect(audit.map((e: { detail: unknown }) => e.detail)).toEqual([
        { rateLimit: { from: null, to: { requestsPerSecond: 50, burst: 50 } } },
        { rateLimit: { from: { requestsPerSecond: 50, burst: 50 }, to: { requestsPerSecond: 50, burst: 120 } } },
        { rateLimit: { from: { requestsPerSecond: 50, burst: 120 }, to: { requestsPerSecond: 0, burst: 0 } } },
        { rateLimit: { from: { requestsPerSecond: 0, burst: 0 }, to: null } },
      ]);
    });

    it.each<[string, unknown, string]>([
      ['a negative rate', { requestsPerSecond: -1 }, 'rateLimit.requestsPerSecond must not be less than 0'],
      ['a fractional rate', { requestsPerSecond: 1.5 }, 'rateLimit.requestsPerSecond must be an integer number'],
      ['a huge rate', { requestsPerSecond: 1e12 }, 'rateLimit.requestsPerSecond must not be greater than 1000000'],
      ['a rate as text', { requestsPerSecond: '50' }, 'rateLimit.requestsPerSecond must be an integer number'],
      ['no rate', { burst: 10 }, 'rateLimit.requestsPerSecond is required'],
      ['a burst of 0', { requestsPerSecond: 5, burst: 0 }, 'rateLimit.burst must be an integer from 1 to 1000000'],
      ['a fractional burst', { requestsPerSecond: 5, burst: 7.5 }, 'rateLimit.burst must be an integer from 1 to 1000000'],
      ['a huge burst', { requestsPerSecond: 5, burst: 2e6 }, 'rateLimit.burst must be an integer from 1 to 1000000'],
      ['a null burst', { requestsPerSecond: 5, burst: null }, 'rateLimit.burst must be an integer from 1 to 1000000'],
      ['a burst below the rate', { requestsPerSecond: 5, burst: 4 }, 'rateLimit.burst must not be less than requestsPerSecond'],
      ['a burst with no limit', { requestsPerSecond: 0, burst: 4 }, 'rateLimit.burst must be left out when requestsPerSecond is 0 (unlimited)'],
      ['an unknown field', { requestsPerSecond: 5, windowSeconds: 60 }, 'property rateLimit.windowSeconds should not exist'],
      ['an array', [{ requestsPerSecond: 5 }], 'rateLimit must be an object or null'],
      ['a number', 50, 'rateLimit must be an object or null'],
    ])('refuses %s with a 400 naming the field, and changes nothing', async (_case, rateLimit, problem) => {
      const { tenant } = await limitedTenant({ requestsPerSecond: 7, burst: 9 });
      const res = await setLimit(tenant.id, rateLimit).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', requestId: expect.any(String) });
      expect(res.body.message).toContain(problem);
      const after = await admin(a.http().get(`/tenants/${tenant.id}`)).expect(200);
      expect(after.body.rateLimit).toEqual({ requestsPerSecond: 7, burst: 9 });
    });

    it('lists every problem of one body', async () => {
      const { tenant } = await a.createTenant();
      const res = await setLimit(tenant.id, { requestsPerSecond: -1, burst: 0 }).expect(400);
      expect(res.body.message).toEqual(
        expect.arrayContaining(['rateLimit.requestsPerSecond must not be less than 0', 'rateLimit.burst must be an integer from 1 to 1000000']),
      );
    });
  });

  it('admits the burst, then answers 429 with Retry-After and the error body', async () => {
    const { apiKey } = await limitedTenant({ requestsPerSecond: 1, burst: 5 });
    const answers = await untilRefused(() => onA('/targets', apiKey));
    const refused = answers[answers.length - 1];
    expect(answers.slice(0, 5).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]); // the bucket holds 5
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: 'Rate limit exceeded for this tenant',
      requestId: expect.any(String),
    });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.headers['ratelimit-policy']).toBe('"tenant";q=5;w=5');
    expect(refused.headers.ratelimit).toMatch(/^"tenant";r=0;t=\d+$/);
    // The first answer took one request from a full bucket of 5.
    expect(answers[0].headers.ratelimit).toMatch(/^"tenant";r=4;t=\d+$/);
    const metrics = await admin(a.http().get('/metrics')).expect(200);
    expect(Number(/^tenantry_tenant_rate_limited_total (\d+)$/m.exec(metrics.text)?.[1])).toBeGreaterThanOrEqual(1);
  });

  it('a drained bucket refills: the tenant is admitted again later', async () => {
    const { apiKey } = await limitedTenant({ requestsPerSecond: 1, burst: 1 });
    const answers = await untilRefused(() => onA('/tenant-info', apiKey));
    expect(answers[answers.length - 1].status).toBe(429);
    let status = 429;
    for (let tries = 0; tries < 60 && status === 429; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      status = (await onA('/tenant-info', apiKey)).status;
    }
    expect(status).toBe(200);
  });

  it('carries the headers on 2xx and on errors after the key is verified, not on a 401', async () => {
    const { tenant, apiKey } = await limitedTenant({ requestsPerSecond: 1000, burst: 2000 });
    const readOnly = await admin(a.http().post(`/tenants/${tenant.id}/keys`)).send({ name: 'reader', scopes: ['read'] }).expect(201);
    const answers = [
      await onA('/targets', apiKey).expect(200),
      await a.http().post('/targets').set('X-API-Key', apiKey).send({ name: 'r1', address: 'https://example.test' }).expect(201),
      await onA('/targets/not-a-uuid', apiKey).expect(400),
      await onA(`/targets/${MISSING_ID}`, apiKey).expect(404),
      await a.http().post('/targets').set('X-API-Key', readOnly.body.apiKey).send({ name: 'r2', address: 'https://example.test' }).expect(403),
      await a.http().post('/targets').set('X-API-Key', apiKey).send({ name: 'r3', address: 'https://example.test', id: MISSING_ID }).expect(400),
    ];
    for (const res of answers) {
      expect(res.headers['ratelimit-policy']).toBe('"tenant";q=2000;w=2');
      expect(res.headers.ratelimit).toMatch(/^"tenant";r=\d+;t=\d+$/);
    }
    const invalid = await onA('/targets', generateApiKey().key).expect(401);
    expect(invalid.headers['ratelimit-policy']).toBeUndefined();
    expect(invalid.headers.ratelimit).toBeUndefined();
  });

  it('one tenant over its limit leaves other tenants alone', async () => {
    const noisy = await limitedTenant({ requestsPerSecond: 1, burst: 2 });
    const sameLimit = await limitedTenant({ requestsPerSecond: 1, burst: 2 });
    const unlimited = await a.createTenant();
    const answers = await untilRefused(() => onA('/targets', noisy.apiKey));
    expect(answers[answers.length - 1].status).toBe(429);
    // A tenant with the very same setting has a bucket of its own, full.
    await onA('/targets', sameLimit.apiKey).expect(200);
    await onA('/targets', sameLimit.apiKey).expect(200);
    for (let i = 0; i < 20; i++) {
      const res = await onA('/targets', unlimited.apiKey).expect(200);
      expect(res.headers['ratelimit-policy']).toBeUndefined();
    }
  });

  it("null brings a tenant back to the instance's default; each instance has its own default", async () => {
    const { tenant, apiKey } = await limitedTenant({ requestsPerSecond: 1000 });
    expect((await onB('/targets', apiKey).expect(200)).headers['ratelimit-policy']).toBe('"tenant";q=1000;w=1');
    const told = toldB(tenant.id, 'updated');
    await setLimit(tenant.id, null).expect(200);
    await told;
    // B's TENANT_RATE_LIMIT_RPS is 2 (burst 2): two admitted, then refused.
    const onBAnswers = await untilRefused(() => onB('/targets', apiKey));
    expect(onBAnswers[0].headers['ratelimit-policy']).toBe(`"tenant";q=${B_DEFAULT_RPS};w=1`);
    expect(onBAnswers.slice(0, 2).map((r) => r.status)).toEqual([200, 200]);
    expect(onBAnswers[onBAnswers.length - 1].status).toBe(429);
    // A's default is off: no limit, no headers.
    const onAAnswer = await onA('/targets', apiKey).expect(200);
    expect(onAAnswer.headers['ratelimit-policy']).toBeUndefined();
  });

  it('a changed limit reaches the other instance at once (its cached key is dropped)', async () => {
    const { tenant, apiKey } = await limitedTenant({ requestsPerSecond: 1000 });
    await onB('/targets', apiKey).expect(200); // B has verified and cached the key, with its limit
    const told = toldB(tenant.id, 'updated');
    await setLimit(tenant.id, { requestsPerSecond: 1, burst: 3 }).expect(200);
    await told;
    const answers = await untilRefused(() => onB('/targets', apiKey));
    expect(answers[0].headers['ratelimit-policy']).toBe('"tenant";q=3;w=3');
    expect(answers.slice(0, 3).map((r) => r.status)).toEqual([200, 200, 200]);
    expect(answers[answers.length - 1].status).toBe(429);
  });
});
