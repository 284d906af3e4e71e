import http from 'node:http';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DrainSignal } from '../../src/common/drain-signal';
import { JobQueueRepository } from '../../src/jobs/job-queue.repository';
import { JobWakeupsService } from '../../src/jobs/job-wakeups.service';
import { listeningPort } from '../utils/event-stream';
import { buildApp, closeApp } from '../utils/test-app';
import type { TestApp } from '../utils/test-app';
import { createJob, JobBody, TenantClient, tenantWithTarget } from '../utils/domain-fixtures';
import { untilWaiting, waitingClaims } from '../utils/job-waiters';

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
    await untilWaiting(second, 1, a.id);
    await createJob(a, targetId, { type: 'other' });
    const job = await createJob(a, targetId, { type: 'wake-me' });
    const res = await waiting;
    expect(res.status).toBe(200);
    expect([res.body.id, res.body.status, res.body.workerId]).toEqual([job.id, 'running', 'w']);
  });

  it('is woken by a batch, a retry and a job that becomes due', async () => {
    const batch = claimOn(second, { waitSeconds: 30, limit: 10, types: ['batch'] }).then((res) => res);
    await untilWaiting(second, 1, a.id);
    const created = (await a.post('/jobs/batch', { jobs: [{ targetId, type: 'batch' }] }).expect(201)).body.items as JobBody[];
    expect(((await batch).body.items as JobBody[]).map((j) => j.id)).toEqual([created[0].id]);

    await a.post(`/jobs/${created[0].id}/cancel`).expect(200);
    const retried = claimOn(second, { waitSeconds: 30, types: ['batch'] }).then((res) => res);
    await untilWaiting(second, 1, a.id);
    await a.post(`/jobs/${created[0].id}/retry`).expect(200);
    expect((await retried).body.id).toBe(created[0].id);

    const soon = await createJob(a, targetId, { type: 'later', runAt: new Date(Date.now() + 1500).toISOString() });
    const due = await claimOn(second, { waitSeconds: 30, types: ['later'] });
    expect([due.status, due.body.id]).toEqual([200, soon.id]);
  });

  it('holds no database connection while waiting: other requests of the tenant go on', async () => {
    const waiters = Array.from({ length: 12 }, () => claimOn(t.app, { waitSeconds: 30, types: ['pool'] }).then((res) => res));
    await untilWaiting(t.app, 12, a.id);
    await a.get('/jobs?limit=1').expect(200);
    const jobs = (await a.post('/jobs/batch', { jobs: Array.from({ length: 12 }, () => ({ targetId, type: 'pool' })) }).expect(201))
      .body.items as JobBody[];
    const claimed = (await Promise.all(waiters)).map((res) => res.body.id as string);
    expect(claimed.sort()).toEqual(jobs.map((j) => j.id).sort());
  });

  // Its own timeout, under waitSeconds: a claim still waiting for its gone client would keep the test waiting.
  it('does not sleep through a job announced while its claim was still looking', async () => {
    // The announcement lands after the claim saw no job (and when the next is due), before its wait begins.
    const wakeups = t.app.get(JobWakeupsService) as unknown as { received(payload: string): void };
    const heard = (type: string) =>
      new Promise<void>((resolve) => {
        const received = wakeups.received;
        wakeups.received = function (this: unknown, payload: string) {
          received.call(this, payload);
          if ((JSON.parse(payload) as { type: string }).type !== type) return;
          Reflect.deleteProperty(wakeups, 'received');
          resolve();
        };
      });
    const whenDue = JobQueueRepository.prototype.secondsUntilNextDue;
    let job: JobBody | undefined;
    const looked = jest.spyOn(JobQueueRepository.prototype, 'secondsUntilNextDue').mockImplementationOnce(async function (
      this: JobQueueRepository,
      ...args: Parameters<JobQueueRepository['secondsUntilNextDue']>
    ) {
      const seen = await whenDue.apply(this, args);
      const announced = heard('raced');
      job = await createJob(a, targetId, { type: 'raced' });
      await announced;
      return seen;
    });
    try {
      const res = await a.post('/jobs/claim', { workerId: 'w', waitSeconds: 3, types: ['raced'] });
      expect(looked).toHaveBeenCalled();
      expect([res.status, res.body.id]).toEqual([200, job!.id]);
    } finally {
      looked.mockRestore();
    }
  });

  it('stops waiting when the client leaves: a job created afterwards stays queued for the next worker', async () => {
    const port = await listeningPort(t.app);
    const body = JSON.stringify({ workerId: 'gone', waitSeconds: 30, types: ['abandoned'] });
    const gone = http.request({ host: '127.0.0.1', port, path: '/jobs/claim', method: 'POST', headers: { 'X-API-Key': a.apiKey, 'Content-Type': 'application/json' } });
    gone.on('error', () => undefined);
    gone.end(body);
    await untilWaiting(t.app, 1, a.id);
    gone.destroy();
    while (waitingClaims(t.app, a.id).size > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const job = await createJob(a, targetId, { type: 'abandoned' });
    expect((await a.get(`/jobs/${job.id}`).expect(200)).body).toMatchObject({ status: 'queued', attempts: 0, workerId: null });
    const claimed = await a.post('/jobs/claim', { workerId: 'live', types: ['abandoned'] }).expect(200);
    expect([claimed.body.id, claimed.body.workerId, claimed.body.attempts]).toEqual([job.id, 'live', 1]);
  }, 20_000);

  it('wakes only as many waiting claims as there are new jobs', async () => {
    const waiting = [1, 2, 3].map(() => claimOn(t.app, { waitSeconds: 30, types: ['herd'] }).then((res) => res));
    await untilWaiting(t.app, 3, a.id);
    const before = [...waitingClaims(t.app, a.id)];
    const first = await createJob(a, targetId, { type: 'herd' });
    const answered = await Promise.race(waiting);
    expect(answered.body.id).toBe(first.id);
    // The two others were never woken: the same waiters still wait (a woken claim that found nothing waits anew).
    expect(before.filter((waiter) => waitingClaims(t.app, a.id).has(waiter))).toHaveLength(2);
    const more = (await a.post('/jobs/batch', { jobs: [{ targetId, type: 'herd' }, { targetId, type: 'herd' }] }).expect(201)).body.items as JobBody[];
    const claimed = (await Promise.all(waiting)).map((res) => res.body.id as string);
    expect(claimed.sort()).toEqual([first.id, ...more.map((j) => j.id)].sort());
  });

  it('answers at once with 204 when the app drains', async () => {
    const other = await buildApp(t.databaseUrl);
    try {
      const waiting = claimOn(other.app, { waitSeconds: 30, types: ['never'] }).then((res) => res);
      await untilWaiting(other.app, 1, a.id);
      other.app.get(DrainSignal).begin();
      expect((await waiting).status).toBe(204);
    } finally {
      await closeApp(other.app);
    }
  });
});
