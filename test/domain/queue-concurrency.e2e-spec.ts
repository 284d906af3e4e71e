import { createTestApp, TestApp } from '../utils/test-app';
import { mapConcurrent } from '../../src/common/concurrency';
import { createTarget, JobBody, TenantClient, tenantClient } from '../utils/domain-fixtures';

const JOBS = 1000;
const WORKERS = 20;

/** Many workers draining one queue through the HTTP API: every job runs exactly once. */
describe('claim under concurrency', () => {
  let t: TestApp;
  let c: TenantClient;

  beforeAll(async () => {
    // Ten tenant connections, all usable by one tenant, set here whatever the defaults: many claims really run at once.
    t = await createTestApp({ TENANT_POOL_MAX: '10', TENANT_POOL_MAX_PER_TENANT: '10' });
    c = await tenantClient(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it(`${WORKERS} workers complete ${JOBS} jobs, each exactly once`, async () => {
    const targets = await Promise.all([createTarget(c), createTarget(c)]);
    const createStarted = Date.now();
    const created = await mapConcurrent(
      Array.from({ length: JOBS }, (_, i) => i),
      20,
      async (i) => {
        const res = await c.post('/jobs', {
          targetId: targets[i % 2].id,
          type: i % 3 ? 'even' : 'odd',
          priority: (i % 7) - 3,
          payload: { i },
        });
        expect(res.status).toBe(201);
        return res.body as JobBody;
      },
    );
    expect(new Set(created.map((j) => j.id)).size).toBe(JOBS);

    const createdIn = Date.now() - createStarted;
    const started = Date.now();
    const claims: Array<{ jobId: string; workerId: string }> = [];
    const refused: number[] = [];
    await Promise.all(
      Array.from({ length: WORKERS }, async (_, w) => {
        const workerId = `worker-${w}`;
        for (;;) {
          // Half the workers name both types, to drive the per-type claim path concurrently too.
          const types = w % 2 ? undefined : ['odd', 'even'];
          const res = await c.post('/jobs/claim', { workerId, leaseSeconds: 300, types });
          if (res.status === 204) return;
          expect(res.status).toBe(200);
          expect(res.body).toMatchObject({ status: 'running', workerId, attempts: 1 });
          claims.push({ jobId: res.body.id, workerId });
          const done = await c.post(`/jobs/${res.body.id}/complete`, { workerId, result: { by: workerId } });
          if (done.status !== 200) refused.push(done.status);
        }
      }),
    );
    const elapsed = Date.now() - started;

    expect(refused).toEqual([]);
    expect(claims).toHaveLength(JOBS);
    expect(new Set(claims.map((x) => x.jobId)).size).toBe(JOBS);
    expect(new Set(claims.map((x) => x.workerId)).size).toBeGreaterThan(1);

    const byStatus = await c.sql<{ status: string; attempts: number; n: string }>(
      `SELECT "status", "attempts", count(*) AS n FROM $schema."jobs" GROUP BY 1, 2`,
    );
    expect(byStatus).toEqual([{ status: 'succeeded', attempts: 1, n: String(JOBS) }]);
    const wrongResult = await c.sql(
      `SELECT "id" FROM $schema."jobs" WHERE "result"->>'by' IS DISTINCT FROM "worker_id"`,
    );
    expect(wrongResult).toEqual([]);
    // Each job logged exactly one claim and one completion, as seq 1 and 2.
    const logs = await c.sql<{ pattern: string; n: string }>(
      `SELECT string_agg("seq" || ':' || ("data"->>'event'), ',' ORDER BY "seq") AS pattern, count(*) OVER () AS n
         FROM $schema."job_logs" GROUP BY "job_id"`,
    );
    expect(logs).toHaveLength(JOBS);
    expect(new Set(logs.map((l) => l.pattern))).toEqual(new Set(['1:claimed,2:completed']));
    // eslint-disable-next-line no-console
    console.log(`${JOBS} jobs created in ${createdIn} ms, drained by ${WORKERS} workers in ${elapsed} ms`);
  }, 240_000);
});
