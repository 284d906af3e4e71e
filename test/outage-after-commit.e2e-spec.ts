import { Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { JobQueueRepository } from '../src/jobs/job-queue.repository';
import { LeaseSweeperService } from '../src/jobs/lease-sweeper.service';
import { LeaseWatchRepository } from '../src/jobs/lease-watch.repository';
import { TenantWatchTable } from '../src/database/tenant-watch-table';
import { createTarget, tenantClient, type TenantClient } from './utils/domain-fixtures';
import { createTestApp, type TestApp } from './utils/test-app';

/**
 * A statement that runs after a change has committed, on a connection the database then drops: the change is
 * made, so the answer must say so. A 503 there would tell the client to retry what already happened: a job
 * created twice, or a job leased to a worker that never heard of it (an attempt spent on nothing).
 */
describe('a connection lost after the commit', () => {
  let t: TestApp;
  let a: TenantClient;
  let targetId: string;

  beforeAll(async () => {
    t = await createTestApp();
    a = await tenantClient(t);
    targetId = (await createTarget(a)).id;
  });
  afterAll(async () => {
    await t?.close();
  });

  /** The database ends the connection the statement was about to run on (as a restart or pg_terminate_backend would). */
  const terminateOwnBackend = (manager: Pick<EntityManager, 'query'>) => manager.query('SELECT pg_terminate_backend(pg_backend_pid())');

  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  /** The next wake-up NOTIFY sent outside a transaction fails as its connection is terminated. */
  function failNextWakeup(): void {
    const original = JobQueueRepository.prototype.notify;
    jest.spyOn(JobQueueRepository.prototype, 'notify').mockImplementationOnce(async function (this: JobQueueRepository) {
      const manager = (this as unknown as { manager: EntityManager }).manager;
      if (manager.queryRunner) return original.apply(this, arguments as unknown as [string, string]); // inside a transaction: left alone
      await terminateOwnBackend(manager);
    });
  }

  it('POST /jobs answers 201 with the job it created when the wake-up after the commit fails', async () => {
    failNextWakeup();
    const res = await a.post('/jobs', { targetId, type: 'after-commit' });
    expect(res.status).toBe(201);
    const rows = await a.sql(`SELECT "id" FROM $schema."jobs" WHERE "type" = 'after-commit'`);
    expect(rows).toEqual([{ id: res.body.id }]);
  });

  it('POST /jobs/batch answers 201 with its jobs when the wake-up after the commit fails', async () => {
    failNextWakeup();
    const res = await a.post('/jobs/batch', { jobs: [{ targetId, type: 'after-commit-batch' }, { targetId, type: 'after-commit-batch' }] });
    expect(res.status).toBe(201);
    const rows = await a.sql<{ id: string }>(`SELECT "id" FROM $schema."jobs" WHERE "type" = 'after-commit-batch'`);
    expect(rows.map((row) => row.id).sort()).toEqual(res.body.items.map((job: { id: string }) => job.id).sort());
  });

  it('POST /jobs/claim hands over the jobs it leased when the lease watch row after the commit fails', async () => {
    const created = await a.post('/jobs', { targetId, type: 'after-commit-claim' }).expect(201);
    jest.spyOn(LeaseWatchRepository.prototype, 'watch').mockImplementationOnce(async function (this: TenantWatchTable) {
      await terminateOwnBackend((this as unknown as { shared: EntityManager }).shared);
    });
    const res = await a.post('/jobs/claim', { workerId: 'w-after-commit', types: ['after-commit-claim'] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: created.body.id, status: 'running', workerId: 'w-after-commit' });
    // The worker holds the lease it was told of, so it can finish the job.
    await a.post(`/jobs/${created.body.id}/complete`, { workerId: 'w-after-commit' }).expect(200);
    expect(warn).toHaveBeenCalled();
  });

  it('the sweeper writes the lease watch row a claim could not, so a worker that dies with the job has it requeued', async () => {
    const created = await a.post('/jobs', { targetId, type: 'after-commit-sweep' }).expect(201);
    const watchRow = (): Promise<Array<{ checkAt: Date }>> =>
      t.db.query(`SELECT "check_at" AS "checkAt" FROM "shared"."job_lease_watch" WHERE "tenant_id" = $1`, [a.id]);
    await t.db.query(`DELETE FROM "shared"."job_lease_watch" WHERE "tenant_id" = $1`, [a.id]); // an earlier test's row
    jest.spyOn(LeaseWatchRepository.prototype, 'watch').mockImplementationOnce(async function (this: TenantWatchTable) {
      await terminateOwnBackend((this as unknown as { shared: EntityManager }).shared);
    });
    const res = await a.post('/jobs/claim', { workerId: 'w-dies', types: ['after-commit-sweep'] }).expect(200);
    expect(await watchRow()).toEqual([]);
    const sweeper = t.app.get(LeaseSweeperService);
    await sweeper.tick();
    const rows = await watchRow();
    // From the lease's end or earlier (the claim of the test above left its own failed watch to retry).
    expect(rows).toHaveLength(1);
    expect(new Date(rows[0].checkAt).getTime()).toBeLessThanOrEqual(Date.parse(res.body.leaseExpiresAt));

    // The worker never comes back: once its lease has ended (moved back here, not waited for), a tick requeues the job.
    await a.sql(`UPDATE $schema."jobs" SET "lease_expires_at" = now() - interval '1 second' WHERE "id" = $1`, [created.body.id]);
    await t.db.query(`UPDATE "shared"."job_lease_watch" SET "check_at" = now() - interval '1 second' WHERE "tenant_id" = $1`, [a.id]);
    await sweeper.tick();
    expect((await a.get(`/jobs/${created.body.id}`).expect(200)).body).toMatchObject({ status: 'queued', error: 'lease expired' });
  });
});
