import { Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { JobQueueRepository } from '../src/jobs/job-queue.repository';
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
});
