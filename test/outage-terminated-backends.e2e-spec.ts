import { Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { JobQueueRepository } from '../src/jobs/job-queue.repository';
import { claim, createJob, tenantSuite } from './utils/domain-fixtures';

const UNAVAILABLE = { statusCode: 503, error: 'Service Unavailable', message: 'Database unavailable', requestId: expect.any(String) };

/**
 * The database ends a backend (`pg_terminate_backend`, a restart) while a request uses it: the request gets a 503,
 * the process goes on serving, and the next request is answered.
 */
describe('backends terminated under requests', () => {
  const suite = tenantSuite();

  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('a connection whose backend was terminated under its statement is not handed out again', async () => {
    // One statement ends its own backend; the next ones, at once on the same pool, get live connections.
    await expect(suite.t.db.query('SELECT pg_terminate_backend(pg_backend_pid())')).rejects.toMatchObject({ driverError: { severity: 'FATAL' } });
    const next = await Promise.all(Array.from({ length: 3 }, () => suite.t.db.query('SELECT 1 AS "one"')));
    expect(next).toEqual([[{ one: 1 }], [{ one: 1 }], [{ one: 1 }]]);
  });

  it('a transaction whose backend is terminated between two of its statements is 503, and changes nothing', async () => {
    const job = await createJob(suite.a, suite.targetId, { type: 'ended-between' });
    await claim(suite.a, 'w-ended', { types: ['ended-between'] });
    const original = JobQueueRepository.prototype.lockJobs;
    jest.spyOn(JobQueueRepository.prototype, 'lockJobs').mockImplementationOnce(async function (this: JobQueueRepository, ids: string[]) {
      const manager = (this as unknown as { manager: EntityManager }).manager;
      const [{ pid }] = await manager.query('SELECT pg_backend_pid() AS "pid"');
      await suite.t.db.query('SELECT pg_terminate_backend($1)', [pid]);
      // The driver reports the lost connection, and TypeORM releases the transaction's runner, before the next statement.
      while (!manager.queryRunner!.isReleased) await new Promise((resolve) => setTimeout(resolve, 10));
      return original.call(this, ids);
    });
    const res = await suite.a.post(`/jobs/${job.id}/complete`, { workerId: 'w-ended' });
    expect(res.status).toBe(503);
    expect(res.body).toEqual(UNAVAILABLE);
    expect((await suite.a.get(`/jobs/${job.id}`).expect(200)).body).toMatchObject({ status: 'running', workerId: 'w-ended' });
    await suite.a.post(`/jobs/${job.id}/complete`, { workerId: 'w-ended' }).expect(200);
    expect(warn).toHaveBeenCalled();
  });
});
