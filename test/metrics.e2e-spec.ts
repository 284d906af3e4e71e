import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { register } from 'prom-client';
import { useTenantLabels } from '../src/common/metric-labels';
import { startMetricsServer } from '../src/ops/metrics/metrics-server';
import { TenantDeletionService } from '../src/tenancy/registry/tenant-deletion.service';
import { claim, createJob, createTarget, tenantClient, TenantClient } from './utils/domain-fixtures';
import { freePort } from './utils/test-database';
import { createTestApp, TEST_ADMIN_KEY, TestApp } from './utils/test-app';

type Samples = Map<string, number>;

/** `name{labels} value` lines of a Prometheus text scrape, keyed by `name{labels}` as printed. */
function parse(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

describe('GET /metrics', () => {
  let t: TestApp;
  let acme: TenantClient;

  const scrapeText = async () => (await t.http().get('/metrics').set('X-Admin-Key', TEST_ADMIN_KEY).expect(200)).text;
  const scrape = async () => parse(await scrapeText());
  const delta = (before: Samples, after: Samples, key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);

  beforeAll(async () => {
    t = await createTestApp({ AUTH_FAILURE_LIMIT: '3', TENANT_POOL_MAX_PER_TENANT: '1' });
    acme = await tenantClient(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers only with the admin key, in the Prometheus text format', async () => {
    await t.http().get('/metrics').expect(401);
    await t.http().get('/metrics').set('X-Admin-Key', `${TEST_ADMIN_KEY}x`).expect(401);
    const res = await t.http().get('/metrics').set('X-Admin-Key', TEST_ADMIN_KEY).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const family of [
      'tenantry_http_request_duration_seconds',
      'tenantry_auth_verifications_total',
      'tenantry_auth_pbkdf2_in_flight',
      'tenantry_auth_pbkdf2_total',
      'tenantry_tenant_rate_limited_total',
      'tenantry_tenant_datasources_open',
      'tenantry_tenant_datasources_opened_total',
      'tenantry_tenant_datasources_evicted_total',
      'tenantry_tenant_pool_connections',
      'tenantry_tenant_pool_waiters',
      'tenantry_tenant_pool_wait_seconds',
      'tenantry_tenant_pool_cap_hits_total',
      'tenantry_schemas',
      'tenantry_job_claims_total',
      'tenantry_job_completions_total',
      'tenantry_job_failures_total',
      'tenantry_job_lease_expiries_total',
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(res.text).toContain(`# TYPE ${family} `);
    }
  });

  it('counts requests by route pattern, method and status, and key verifications by outcome', async () => {
    const before = await scrape();
    const target = await createTarget(acme);
    await acme.get(`/targets/${target.id}`).expect(200);
    await acme.get(`/targets/${target.id}`).expect(200);
    await acme.get('/targets/00000000-0000-4000-8000-000000000000').expect(404);
    await acme.patch(`/targets/${target.id}`, { tags: ['metrics'] }).expect(200); // a change: a transaction on the tenant's DataSource
    const fresh = await t.createTenant();
    await t.http().get('/tenant-info').set('X-API-Key', fresh.apiKey).expect(200); // first use: PBKDF2 (as acme's above)
    await t.http().get('/tenant-info').set('X-API-Key', fresh.apiKey).expect(200); // then the cache
    const after = await scrape();

    expect(delta(before, after, 'tenantry_http_request_duration_seconds_count{route="/targets/:id",method="GET",status="200"}')).toBe(2);
    expect(delta(before, after, 'tenantry_http_request_duration_seconds_count{route="/targets/:id",method="GET",status="404"}')).toBe(1);
    expect(delta(before, after, 'tenantry_http_request_duration_seconds_count{route="/targets",method="POST",status="201"}')).toBe(1);
    expect(delta(before, after, 'tenantry_auth_verifications_total{outcome="pbkdf2_ok"}')).toBe(2);
    expect(delta(before, after, 'tenantry_auth_pbkdf2_total')).toBe(2);
    expect(delta(before, after, 'tenantry_auth_verifications_total{outcome="cache_hit"}')).toBeGreaterThanOrEqual(4);
    expect(after.get('tenantry_auth_pbkdf2_in_flight')).toBe(0);
    // acme's (the change; reads and creates run on a pool connection); /tenant-info reads no tenant table, so the fresh tenant opens none.
    expect(delta(before, after, 'tenantry_tenant_datasources_opened_total')).toBe(1);
    expect(after.get('tenantry_tenant_datasources_open')).toBe(1);
    expect(delta(before, after, 'tenantry_tenant_pool_wait_seconds_count')).toBeGreaterThan(0);
    const pool = (state: string) => after.get(`tenantry_tenant_pool_connections{state="${state}"}`)!;
    expect(pool('busy') + pool('idle')).toBeGreaterThan(0);
    expect(pool('busy') + pool('idle')).toBeLessThanOrEqual(t.config.TENANT_POOL_MAX);
    expect(after.get('tenantry_tenant_pool_waiters')).toBe(0);
  });

  it('counts a DataSource dropped when its tenant is purged', async () => {
    const before = await scrape();
    const other = await tenantClient(t);
    await other.patch(`/targets/${randomUUID()}`, { name: 'x' }).expect(404); // a change opens the DataSource (reads and creates need none)
    expect(delta(before, await scrape(), 'tenantry_tenant_datasources_open')).toBe(1);
    await t.app.get(TenantDeletionService).purge(other.id);
    // The eviction follows the tenant-change notification.
    await until(async () => delta(before, await scrape(), 'tenantry_tenant_datasources_evicted_total{reason="delete"}') === 1);
    expect(delta(before, await scrape(), 'tenantry_tenant_datasources_open')).toBe(0);
  });

  it('counts a query that waited for its tenant\'s connection cap', async () => {
    const before = await scrape();
    // Hold the table so the first read keeps its connection (the cap is 1), and the second has to wait.
    const locker = new Client({ connectionString: t.databaseUrl });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE "${acme.schema}"."targets" IN ACCESS EXCLUSIVE MODE`);
    const first = acme.get('/targets').then((res) => res.status);
    await until(async () => (await locker.query(`SELECT count(*)::int AS "n" FROM pg_stat_activity WHERE "wait_event_type" = 'Lock'`)).rows[0].n > 0);
    const second = acme.get('/targets').then((res) => res.status);
    await until(async () => parse(await scrapeText()).get('tenantry_tenant_pool_waiters') === 1);
    await locker.query('COMMIT');
    await locker.end();
    expect(await Promise.all([first, second])).toEqual([200, 200]);
    const after = await scrape();
    expect(delta(before, after, 'tenantry_tenant_pool_cap_hits_total')).toBe(1);
  });

  it('counts refused and throttled keys', async () => {
    const before = await scrape();
    for (let i = 0; i < 3; i++) await t.http().get('/tenant-info').set('X-API-Key', `not-a-key-${i}`).expect(401);
    await t.http().get('/tenant-info').set('X-API-Key', 'not-a-key-4').expect(429);
    const after = await scrape();
    expect(delta(before, after, 'tenantry_auth_verifications_total{outcome="invalid"}')).toBe(3);
    expect(delta(before, after, 'tenantry_auth_verifications_total{outcome="throttled"}')).toBe(1);
  });

  it('counts job claims, completions, failures and lease expiries', async () => {
    const before = await scrape();
    const target = await createTarget(acme);
    await createJob(acme, target.id);
    const first = (await claim(acme, 'w1'))!;
    await acme.post(`/jobs/${first.id}/complete`, { workerId: 'w1' }).expect(200);
    await createJob(acme, target.id);
    const second = (await claim(acme, 'w1'))!;
    await acme.post(`/jobs/${second.id}/fail`, { workerId: 'w1', error: 'boom', retryable: false }).expect(200);
    await createJob(acme, target.id);
    const third = (await claim(acme, 'w1'))!;
    await acme.sql(`UPDATE $schema."jobs" SET "lease_expires_at" = now() - interval '1 second' WHERE "id" = $1`, [third.id]);
    const again = (await claim(acme, 'w2'))!; // the sweep before the claim expires the lease and requeues it
    expect(again.id).toBe(third.id);
    const after = await scrape();
    expect(delta(before, after, 'tenantry_job_claims_total')).toBe(4);
    expect(delta(before, after, 'tenantry_job_completions_total')).toBe(1);
    expect(delta(before, after, 'tenantry_job_failures_total{outcome="failed"}')).toBe(1);
    expect(delta(before, after, 'tenantry_job_lease_expiries_total')).toBe(1);
  });

  it('counts schemas by migration state with one ledger query, and no tenant label by default', async () => {
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS "n" FROM "shared"."schema_versions" WHERE "kind" = 'tenant'`);
    let samples = await scrape();
    expect(samples.get('tenantry_schemas{kind="tenant",state="current"}')).toBe(n);
    expect(samples.get('tenantry_schemas{kind="tenant",state="behind"}')).toBe(0);
    expect(samples.get('tenantry_schemas{kind="tenant",state="failed"}')).toBe(0);
    expect(samples.get('tenantry_schemas{kind="spare",state="current"}')).toBe(0);
    await t.db.query(`UPDATE "shared"."schema_versions" SET "state" = 'failed' WHERE "schema_name" = $1`, [acme.schema]);
    samples = await scrape();
    expect(samples.get('tenantry_schemas{kind="tenant",state="current"}')).toBe(n - 1);
    expect(samples.get('tenantry_schemas{kind="tenant",state="failed"}')).toBe(1);
    await t.db.query(`UPDATE "shared"."schema_versions" SET "state" = 'ready' WHERE "schema_name" = $1`, [acme.schema]);

    const text = await scrapeText();
    expect(text).not.toMatch(/tenant="/);
    expect(text).not.toContain(acme.schema);
  });

  it('serves the same text without a key on METRICS_PORT', async () => {
    const port = await freePort();
    const server = await startMetricsServer(port, '127.0.0.1');
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('# TYPE tenantry_http_request_duration_seconds histogram');
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('condition never met');
}

describe('GET /metrics with METRICS_TENANT_LABELS=true', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ METRICS_TENANT_LABELS: 'true' });
  });
  afterAll(async () => {
    useTenantLabels(false);
    await t?.close();
  });

  it('labels the request histogram with the tenant slug', async () => {
    const acme = await tenantClient(t);
    const { body } = await acme.get('/tenant-info').expect(200);
    await acme.get('/targets').expect(200);
    const samples = parse((await t.http().get('/metrics').set('X-Admin-Key', TEST_ADMIN_KEY).expect(200)).text);
    expect(samples.get(`tenantry_http_request_duration_seconds_count{route="/targets",method="GET",status="200",tenant="${body.slug}"}`)).toBe(1);
  });
});

describe('METRICS_ENABLED=false', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ METRICS_ENABLED: 'false' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('serves no /metrics and times no request', async () => {
    const requestCount = async () => {
      const metric = await register.getSingleMetric('tenantry_http_request_duration_seconds')?.get();
      return (metric?.values ?? []).filter((v) => (v as { metricName?: string }).metricName === 'tenantry_http_request_duration_seconds_count').reduce((n, v) => n + v.value, 0);
    };
    const before = await requestCount();
    const acme = await tenantClient(t);
    await acme.get('/targets').expect(200);
    await acme.get('/tenant-info').expect(200);
    const res = await t.http().get('/metrics').set('X-Admin-Key', TEST_ADMIN_KEY);
    expect(res.status).toBe(404);
    expect(res.body.message).toBe('Metrics are off (METRICS_ENABLED=false)');
    expect(await requestCount()).toBe(before);
  });
});
