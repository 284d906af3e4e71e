import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DrainSignal } from '../../src/common/drain-signal';
import { JobWakeupsService } from '../../src/jobs/job-wakeups.service';
import { buildApp, closeApp } from '../utils/test-app';
import type { TestApp } from '../utils/test-app';
import { createJob, JobBody, TenantClient, tenantWithTarget } from '../utils/domain-fixtures';

/** Resolves once the app's registry of waiting claims holds `n` waiters of the tenant (no sleeping guess). */
async function waitersOf(app: NestExpressApplication, tenantId: string, n: number): Promise<void> {
  const registry = app.get(JobWakeupsService) as unknown as { waiters: Map<string, Set<unknown>> };
  while ((registry.waiters.get(tenantId)?.size ?? 0) < n) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('long-poll claims (waitSeconds)', () => {
  let t: TestApp;
  let a: TenantClient;
  let targetId: string;
  let second: NestExpressApplication;

  beforeAll(async () => {
    ({ t, a, targetId } = await tenantWithTarget());
    ({ app: second } = await buildApp(t.databaseUrl));
  });
  afterAll(async () => {
    if (second) await closeApp(second);
    await t?.close();
  });

  const claimOn = (app: NestExpressApplication, body: Record<string, unknown>) =>
    request(app.getHttpServer()).post('/jobs/claim').set('X-API-Key', a.apiKey).send({ workerId: 'w', ...body });

  it('answers 204 when nothing becomes due in time', async () => {
    const res = await a.post('/jobs/claim', { workerId: 'w', waitSeconds: 1 }).expect(204);
    expect(res.text).toBe('');
    expect((await a.post('/jobs/claim', { workerId: 'w', waitSeconds: 1, limit: 5 }).expect(200)).body).toEqual({ items: [] });
  });

  it('is woken on another instance by a job created through this one', async () => {
    const waiting = claimOn(second, { waitSeconds: 30, types: ['wake-me'] }).then((res) => res);
    await waitersOf(second, a.id, 1);
    await createJob(a, targetId, { type: 'other' });
    const job = await createJob(a, targetId, { type: 'wake-me' });
    const res = await waiting;
    expect(res.status).toBe(200);
    expect([res.body.id, res.body.status, res.body.workerId]).toEqual([job.id, 'running', 'w']);
  });

  it('is woken by a batch, a retry and a job that becomes due', async () => {
    const batch = claimOn(second, { waitSeconds: 30, limit: 10, types: ['batch'] }).then((res) => res);
    await waitersOf(second, a.id, 1);
    const created = (await a.post('/jobs/batch', { jobs: [{ targetId, type: 'batch' }] }).expect(201)).body.items as JobBody[];
    expect(((await batch).body.items as JobBody[]).map((j) => j.id)).toEqual([created[0].id]);

    await a.post(`/jobs/${created[0].id}/cancel`).expect(200);
    const retried = claimOn(second, { waitSeconds: 30, types: ['batch'] }).then((res) => res);
    await waitersOf(second, a.id, 1);
    await a.post(`/jobs/${created[0].id}/retry`).expect(200);
    expect((await retried).body.id).toBe(created[0].id);

    const soon = await createJob(a, targetId, { type: 'later', runAt: new Date(Date.now() + 1500).toISOString() });
    const due = await claimOn(second, { waitSeconds: 30, types: ['later'] });
    expect([due.status, due.body.id]).toEqual([200, soon.id]);
  });

  it('holds no database connection while waiting: other requests of the tenant go on', async () => {
    const waiters = Array.from({ length: 12 }, () => claimOn(t.app, { waitSeconds: 30, types: ['pool'] }).then((res) => res));
    await waitersOf(t.app, a.id, 12);
    await a.get('/jobs?limit=1').expect(200);
    const jobs = (await a.post('/jobs/batch', { jobs: Array.from({ length: 12 }, () => ({ targetId, type: 'pool' })) }).expect(201))
      .body.items as JobBody[];
    const claimed = (await Promise.all(waiters)).map((res) => res.body.id as string);
    expect(claimed.sort()).toEqual(jobs.map((j) => j.id).sort());
  });

  it('answers at once with 204 when the app drains', async () => {
    const other = await buildApp(t.databaseUrl);
    try {
      const waiting = claimOn(other.app, { waitSeconds: 30, types: ['never'] }).then((res) => res);
      await waitersOf(other.app, a.id, 1);
      other.app.get(DrainSignal).begin();
      expect((await waiting).status).toBe(204);
    } finally {
      await closeApp(other.app);
    }
  });
});
