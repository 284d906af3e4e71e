import type { NestExpressApplication } from '@nestjs/platform-express';
import { buildApp, closeApp, createTestApp, TestApp } from '../utils/test-app';
import { claim, createJob, createTarget, JobBody, JobLogBody, TenantClient, tenantClient } from '../utils/domain-fixtures';

/** Polls until `check` holds; the jest timeout bounds it (no assertion on how long it took). */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('lease sweeper', () => {
  let t: TestApp;
  let second: NestExpressApplication;
  let a: TenantClient;
  let b: TenantClient;
  let c: TenantClient;
  /** The second case's jobs, claimed before the first case runs: the short lease runs out while it waits. */
  let short: JobBody;
  let long: JobBody;

  beforeAll(async () => {
    t = await createTestApp({ JOB_SWEEP_INTERVAL_SECONDS: '1' });
    ({ app: second } = await buildApp(t.databaseUrl, { JOB_SWEEP_INTERVAL_SECONDS: '1' }));
    [a, b, c] = [await tenantClient(t), await tenantClient(t), await tenantClient(t)];
    const targetId = (await createTarget(c)).id;
    short = await createJob(c, targetId, { type: 'short' });
    long = await createJob(c, targetId, { type: 'long' });
    expect((await claim(c, 'dies', { leaseSeconds: 5, types: ['short'] }))?.id).toBe(short.id);
    expect((await claim(c, 'lives', { leaseSeconds: 600, types: ['long'] }))?.id).toBe(long.id);
  });
  afterAll(async () => {
    if (second) await closeApp(second);
    await t?.close();
  });

  const watchRows = async (tenantId: string) =>
    (await t.db.query(`SELECT "tenant_id" FROM "shared"."job_lease_watch" WHERE "tenant_id" = $1`, [tenantId])).length;
  const job = (c: TenantClient, id: string) => c.get(`/jobs/${id}`).then((res) => res.body as JobBody);

  it('requeues or fails the jobs of a killed worker in every tenant, with no claim there, once', async () => {
    const inA = await createJob(a, (await createTarget(a)).id, { maxAttempts: 2 });
    const inB = await createJob(b, (await createTarget(b)).id, { maxAttempts: 1 });
    // The worker claims with the shortest lease and dies: no heartbeat, no complete, no further claim.
    expect((await claim(a, 'doomed', { leaseSeconds: 5 }))?.id).toBe(inA.id);
    expect((await claim(b, 'doomed', { leaseSeconds: 5 }))?.id).toBe(inB.id);
    expect(await watchRows(a.id)).toBe(1);

    const requeued = await eventually(() => job(a, inA.id), (j) => j.status !== 'running');
    expect([requeued.status, requeued.error, requeued.leaseExpiresAt, requeued.attempts]).toEqual(['queued', 'lease expired', null, 1]);
    const failed = await eventually(() => job(b, inB.id), (j) => j.status !== 'running');
    expect([failed.status, failed.error]).toEqual(['failed', 'lease expired']);
    expect(failed.finishedAt).not.toBeNull();

    // Two instances swept; the attempt was counted once.
    const events = ((await a.get(`/jobs/${inA.id}/logs`).expect(200)).body.items as JobLogBody[]).map((l) => l.data?.event);
    expect(events).toEqual(['claimed', 'lease_expired']);
    // Nothing runs any more: the tenants leave the watch list.
    await eventually(() => watchRows(b.id), (n) => n === 0);
    expect(await watchRows(a.id)).toBe(0);
  });

  it('leaves live leases alone and keeps watching the tenant until they end', async () => {
    await eventually(() => job(c, short.id), (j) => j.status === 'queued');
    expect((await job(c, long.id)).status).toBe('running');
    const [{ checkAt }] = await t.db.query(
      `SELECT "check_at" AS "checkAt" FROM "shared"."job_lease_watch" WHERE "tenant_id" = $1`,
      [c.id],
    );
    expect(new Date(checkAt).toISOString()).toBe((await job(c, long.id)).leaseExpiresAt);
  });
});
