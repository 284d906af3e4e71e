import type request from 'supertest';
import { createTestApp, TestApp } from '../utils/test-app';
import {
  claim,
  createJob,
  createSession,
  createTarget,
  listAll,
  MISSING_ID,
  TenantClient,
  tenantClient,
} from '../utils/domain-fixtures';

/**
 * Tenant B's key on tenant A's objects: every tenant route answers exactly as for an id that does not exist
 * (404, same body), B's lists never show A's rows, and A's data is unchanged afterwards.
 */
describe('tenant isolation on the domain routes', () => {
  let t: TestApp;
  let a: TenantClient;
  let b: TenantClient;
  const ids = { target: '', session: '', running: '', queued: '' };
  let bTarget: string;

  beforeAll(async () => {
    t = await createTestApp();
    a = await tenantClient(t);
    b = await tenantClient(t);
    const target = await createTarget(a, { tags: ['shared-tag'], kind: 'shared-kind' });
    ids.target = target.id;
    ids.session = (await createSession(a, target.id)).id;
    ids.running = (await createJob(a, target.id, { sessionId: ids.session, type: 'shared-type', priority: 1 })).id;
    ids.queued = (await createJob(a, target.id, { type: 'shared-type' })).id;
    expect((await claim(a, 'worker-a'))!.id).toBe(ids.running);
    await a.post(`/jobs/${ids.running}/logs`, { entries: [{ level: 'info', message: 'a private line' }] }).expect(201);
    bTarget = (await createTarget(b)).id;
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Everything in A's schema, row by row. */
  async function snapshotOf(client: TenantClient): Promise<unknown> {
    const tables = ['targets', 'sessions', 'jobs', 'job_logs', 'schedules'];
    const out: Record<string, unknown> = {};
    for (const table of tables) out[table] = await client.sql(`SELECT * FROM $schema."${table}" ORDER BY 1, 2`);
    return out;
  }

  type Route = [string, (client: TenantClient, id: string) => request.Test, keyof typeof ids];
  const routes: Route[] = [
    ['GET /targets/{id}', (c, id) => c.get(`/targets/${id}`), 'target'],
    ['PATCH /targets/{id}', (c, id) => c.patch(`/targets/${id}`, { name: 'stolen' }), 'target'],
    ['DELETE /targets/{id}', (c, id) => c.delete(`/targets/${id}`), 'target'],
    ['POST /sessions (targetId)', (c, id) => c.post('/sessions', { targetId: id }), 'target'],
    ['POST /jobs (targetId)', (c, id) => c.post('/jobs', { targetId: id, type: 'x' }), 'target'],
    ['GET /sessions/{id}', (c, id) => c.get(`/sessions/${id}`), 'session'],
    ['PATCH /sessions/{id}', (c, id) => c.patch(`/sessions/${id}`, { metadata: { stolen: true } }), 'session'],
    ['POST /sessions/{id}/close', (c, id) => c.post(`/sessions/${id}/close`), 'session'],
    ['POST /jobs (sessionId)', (c, id) => c.post('/jobs', { targetId: bTarget, sessionId: id, type: 'x' }), 'session'],
    ['GET /jobs/{id}', (c, id) => c.get(`/jobs/${id}`), 'running'],
    ['POST /jobs/{id}/cancel (running)', (c, id) => c.post(`/jobs/${id}/cancel`), 'running'],
    ['POST /jobs/{id}/cancel (queued)', (c, id) => c.post(`/jobs/${id}/cancel`), 'queued'],
    ['POST /jobs/{id}/heartbeat', (c, id) => c.post(`/jobs/${id}/heartbeat`, { workerId: 'worker-a' }), 'running'],
    [
      'POST /jobs/{id}/complete',
      (c, id) => c.post(`/jobs/${id}/complete`, { workerId: 'worker-a', result: {} }),
      'running',
    ],
    ['POST /jobs/{id}/fail', (c, id) => c.post(`/jobs/${id}/fail`, { workerId: 'worker-a', error: 'x' }), 'running'],
    [
      'POST /jobs/{id}/logs',
      (c, id) => c.post(`/jobs/${id}/logs`, { entries: [{ level: 'info', message: 'x' }] }),
      'running',
    ],
    ['GET /jobs/{id}/logs', (c, id) => c.get(`/jobs/${id}/logs`), 'running'],
  ];

  it.each(routes)(
    "%s with B's key on A's object answers 404 like a missing id, and A is unchanged",
    async (_name, call, kind) => {
      const beforeA = await snapshotOf(a);
      const beforeB = await b.counts();
      const foreign = await call(b, ids[kind]);
      const missing = await call(b, MISSING_ID);
      expect(foreign.status).toBe(404);
      expect(missing.status).toBe(404);
      const { requestId: _r1, ...foreignBody } = foreign.body;
      const { requestId: _r2, ...missingBody } = missing.body;
      expect(foreignBody).toEqual(missingBody);
      expect(await snapshotOf(a)).toEqual(beforeA);
      expect(await b.counts()).toEqual(beforeB);
      // A still sees its object.
      if (kind === 'target') await a.get(`/targets/${ids.target}`).expect(200);
      if (kind === 'session') await a.get(`/sessions/${ids.session}`).expect(200);
      if (kind === 'running' || kind === 'queued') await a.get(`/jobs/${ids[kind]}`).expect(200);
    },
  );

  it("B's lists never show A's rows, whatever the filter", async () => {
    const bIds = new Set<string>();
    for (const path of ['/targets', '/sessions', '/jobs']) {
      for (const item of await listAll<{ id: string }>(b, path)) bIds.add(item.id);
    }
    for (const id of Object.values(ids)) expect(bIds.has(id)).toBe(false);
    const filtered = [
      '/targets?tag=shared-tag',
      '/targets?kind=shared-kind',
      `/sessions?targetId=${ids.target}`,
      '/sessions?status=active',
      `/jobs?targetId=${ids.target}`,
      `/jobs?sessionId=${ids.session}`,
      '/jobs?type=shared-type',
      '/jobs?status=running',
      '/jobs?status=queued',
    ];
    for (const path of filtered) expect((await b.get(path).expect(200)).body).toEqual({ items: [], nextCursor: null });
    // A's lists do show them.
    expect((await a.get('/jobs?type=shared-type').expect(200)).body.items).toHaveLength(2);
  });

  it("B's worker never claims A's jobs", async () => {
    const beforeA = await snapshotOf(a);
    await b.post('/jobs/claim', { workerId: 'worker-b' }).expect(204);
    await b.post('/jobs/claim', { workerId: 'worker-b', types: ['shared-type'] }).expect(204);
    expect(await snapshotOf(a)).toEqual(beforeA);
  });

  it('idempotency keys are per tenant', async () => {
    const key = 'same-key-in-two-tenants';
    const aTarget = ids.target;
    const first = await a.post('/jobs', { targetId: aTarget, type: 'k' }).set('Idempotency-Key', key).expect(201);
    const second = await b.post('/jobs', { targetId: bTarget, type: 'k' }).set('Idempotency-Key', key).expect(201);
    expect(second.body.id).not.toBe(first.body.id);
    await b.get(`/jobs/${first.body.id}`).expect(404);
  });

  it('no tenant key, or a bad one, reaches no domain route', async () => {
    await t.http().get('/targets').expect(401);
    await t.http().post('/jobs/claim').send({ workerId: 'w' }).expect(401);
    await t.http().get(`/jobs/${ids.running}/logs`).set('X-API-Key', 'tnt_bogus').expect(401);
  });
});
