import type { TestApp } from '../utils/test-app';
import {
  claim,
  createJob,
  createSession,
  createTarget,
  JobBody,
  JobLogBody,
  MISSING_ID,
  TenantClient,
  tenantWithTarget,
} from '../utils/domain-fixtures';

describe('job queue: batches, retry and progress', () => {
  let t: TestApp;
  let a: TenantClient;
  let targetId: string;

  beforeAll(async () => {
    ({ t, a, targetId } = await tenantWithTarget());
  });
  afterAll(async () => {
    await t?.close();
  });

  /** An empty queue: whatever earlier tests left queued or running is cancelled directly. */
  const emptyQueue = () =>
    a.sql(`UPDATE $schema."jobs" SET "status" = 'cancelled', "lease_expires_at" = NULL WHERE "status" IN ('queued', 'running')`);
  const events = async (jobId: string) =>
    ((await a.get(`/jobs/${jobId}/logs`).expect(200)).body.items as JobLogBody[]).map((l) => l.data?.event);

  describe('POST /jobs/batch', () => {
    it('creates every job, in the order given, with defaults applied (201)', async () => {
      const session = await createSession(a, targetId);
      const res = await a
        .post('/jobs/batch', {
          jobs: [
            { targetId, type: 'a' },
            { targetId, sessionId: session.id, type: 'b', payload: { n: 2 }, priority: 5, maxAttempts: 1 },
            { targetId, type: 'c', runAt: '2030-01-01T00:00:00.000Z' },
          ],
        })
        .expect(201);
      const items = res.body.items as JobBody[];
      expect(items.map((j) => [j.type, j.status, j.priority, j.maxAttempts, j.sessionId])).toEqual([
        ['a', 'queued', 0, 3, null],
        ['b', 'queued', 5, 1, session.id],
        ['c', 'queued', 0, 3, null],
      ]);
      expect(items[1].payload).toEqual({ n: 2 });
      expect(items[2].runAt).toBe('2030-01-01T00:00:00.000Z');
      for (const job of items) expect((await a.get(`/jobs/${job.id}`).expect(200)).body).toEqual(job);
    });

    it('takes 1000 jobs', async () => {
      const before = await a.count('jobs');
      const jobs = Array.from({ length: 1000 }, (_, i) => ({ targetId, type: 'bulk', payload: { i } }));
      const res = await a.post('/jobs/batch', { jobs }).expect(201);
      expect(res.body.items).toHaveLength(1000);
      expect((res.body.items as JobBody[]).map((j) => j.payload.i)).toEqual(jobs.map((j) => j.payload.i));
      expect(await a.count('jobs')).toBe(before + 1000);
    });

    it.each([
      ['no jobs', { jobs: [] }, 'jobs must contain at least 1 elements'],
      ['jobs missing', {}, 'jobs'],
      ['1001 jobs', { jobs: Array.from({ length: 1001 }, () => ({ targetId: MISSING_ID, type: 'x' })) }, 'jobs'],
      ['a bad item type', { jobs: [{ targetId: MISSING_ID, type: 'x' }, { targetId: MISSING_ID, type: '' }] }, 'jobs.1.type'],
      ['a bad item priority', { jobs: [{ targetId: MISSING_ID, type: 'x', priority: 101 }] }, 'jobs.0.priority'],
      ['an unknown item field', { jobs: [{ targetId: MISSING_ID, type: 'x', colour: 'red' }] }, 'property jobs.0.colour should not exist'],
    ])('answers 400 for %s, naming it, and writes nothing', async (_name, body, named) => {
      const before = await a.counts();
      const res = await a.post('/jobs/batch', body).expect(400);
      expect(JSON.stringify(res.body.message)).toContain(named);
      expect(await a.counts()).toEqual(before);
    });

    it('answers 404 naming the item with an unknown target or a foreign session, and creates none', async () => {
      const other = await createTarget(a);
      const otherSession = await createSession(a, other.id);
      const before = await a.counts();
      const unknownTarget = await a
        .post('/jobs/batch', { jobs: [{ targetId, type: 'x' }, { targetId, type: 'x' }, { targetId: MISSING_ID, type: 'x' }] })
        .expect(404);
      expect(unknownTarget.body.message).toBe('jobs.2.targetId: Target not found');
      const foreignSession = await a
        .post('/jobs/batch', { jobs: [{ targetId, type: 'x' }, { targetId, sessionId: otherSession.id, type: 'x' }] })
        .expect(404);
      expect(foreignSession.body.message).toBe('jobs.1.sessionId: Session not found for this target');
      const missingSession = await a
        .post('/jobs/batch', { jobs: [{ targetId, sessionId: MISSING_ID, type: 'x' }] })
        .expect(404);
      expect(missingSession.body.message).toBe('jobs.0.sessionId: Session not found for this target');
      expect(await a.counts()).toEqual(before);
    });
  });

  describe('POST /jobs/claim with limit', () => {
    it('hands out up to limit due jobs, best first, as { items }', async () => {
      await emptyQueue();
      const past = (s: number) => new Date(Date.now() - s * 1000).toISOString();
      const low = await createJob(a, targetId, { priority: -1, runAt: past(30) });
      const high = await createJob(a, targetId, { priority: 9, runAt: past(10) });
      const mid = await createJob(a, targetId, { priority: 0, runAt: past(20) });
      await createJob(a, targetId, { runAt: new Date(Date.now() + 60_000).toISOString() });
      const first = await a.post('/jobs/claim', { workerId: 'w', limit: 2 }).expect(200);
      expect((first.body.items as JobBody[]).map((j) => [j.id, j.status, j.workerId])).toEqual([
        [high.id, 'running', 'w'],
        [mid.id, 'running', 'w'],
      ]);
      const rest = await a.post('/jobs/claim', { workerId: 'w', limit: 100 }).expect(200);
      expect((rest.body.items as JobBody[]).map((j) => j.id)).toEqual([low.id]);
      expect((await a.post('/jobs/claim', { workerId: 'w', limit: 5 }).expect(200)).body).toEqual({ items: [] });
      expect(await events(high.id)).toEqual(['claimed']);
    });

    it('claims by type with a limit', async () => {
      await emptyQueue();
      const jobs = (
        await a
          .post('/jobs/batch', { jobs: ['a', 'b', 'a', 'c', 'a'].map((type) => ({ targetId, type })) })
          .expect(201)
      ).body.items as JobBody[];
      const res = await a.post('/jobs/claim', { workerId: 'w', types: ['a', 'c'], limit: 10 }).expect(200);
      expect((res.body.items as JobBody[]).map((j) => j.id).sort()).toEqual(
        jobs.filter((j) => j.type !== 'b').map((j) => j.id).sort(),
      );
    });

    it.each([
      ['limit 0', { limit: 0 }, 'limit'],
      ['limit 101', { limit: 101 }, 'limit'],
      ['limit not an integer', { limit: 1.5 }, 'limit'],
      ['waitSeconds 31', { waitSeconds: 31 }, 'waitSeconds'],
      ['waitSeconds negative', { waitSeconds: -1 }, 'waitSeconds'],
    ])('answers 400 for %s', async (_name, body, named) => {
      const res = await a.post('/jobs/claim', { workerId: 'w', ...body }).expect(400);
      expect(JSON.stringify(res.body.message)).toContain(named);
    });
  });

  describe('POST /jobs/complete-batch', () => {
    it('completes each item on its own: succeeded, conflict or not_found', async () => {
      await emptyQueue();
      const mine = [await createJob(a, targetId), await createJob(a, targetId)];
      const claimed = (await a.post('/jobs/claim', { workerId: 'me', limit: 2 }).expect(200)).body.items as JobBody[];
      expect(claimed.map((j) => j.id).sort()).toEqual(mine.map((j) => j.id).sort());
      const theirs = await createJob(a, targetId);
      await claim(a, 'them');
      const expired = await createJob(a, targetId);
      await claim(a, 'me');
      await a.sql(`UPDATE $schema."jobs" SET "lease_expires_at" = now() - interval '1 second' WHERE "id" = $1`, [expired.id]);
      const queued = await createJob(a, targetId, { runAt: new Date(Date.now() + 60_000).toISOString() });

      const res = await a
        .post('/jobs/complete-batch', {
          workerId: 'me',
          items: [
            { id: mine[0].id, result: { ok: 1 } },
            { id: theirs.id },
            { id: MISSING_ID },
            { id: mine[1].id },
            { id: expired.id },
            { id: queued.id },
            { id: mine[0].id },
          ],
        })
        .expect(200);
      expect(res.body.items).toEqual([
        { id: mine[0].id, status: 'succeeded' },
        { id: theirs.id, status: 'conflict' },
        { id: MISSING_ID, status: 'not_found' },
        { id: mine[1].id, status: 'succeeded' },
        { id: expired.id, status: 'conflict' },
        { id: queued.id, status: 'conflict' },
        { id: mine[0].id, status: 'conflict' },
      ]);
      const done = (await a.get(`/jobs/${mine[0].id}`).expect(200)).body as JobBody;
      expect([done.status, done.result, done.leaseExpiresAt]).toEqual(['succeeded', { ok: 1 }, null]);
      expect((await a.get(`/jobs/${mine[1].id}`).expect(200)).body.result).toBeNull();
      expect((await a.get(`/jobs/${theirs.id}`).expect(200)).body.status).toBe('running');
      expect((await a.get(`/jobs/${queued.id}`).expect(200)).body.status).toBe('queued');
      expect(await events(mine[0].id)).toEqual(['claimed', 'completed']);
    });

    it('completes each job once when the same worker sends overlapping batches at the same time', async () => {
      await emptyQueue();
      const jobs = (await a.post('/jobs/batch', { jobs: Array.from({ length: 60 }, () => ({ targetId, type: 'overlap' })) }).expect(201)).body
        .items as JobBody[];
      const claimed = (await a.post('/jobs/claim', { workerId: 'twice', types: ['overlap'], limit: 60 }).expect(200)).body.items as JobBody[];
      expect(claimed).toHaveLength(60);
      const ids = jobs.map((j) => j.id);
      // Four batches over the same jobs in different orders, sent together: every row is wanted by all four.
      const orders = [ids, [...ids].reverse(), [...ids.slice(30), ...ids.slice(0, 30)], ids.filter((_, i) => i % 2).concat(ids.filter((_, i) => !(i % 2)))];
      const answers = await Promise.all(
        orders.map((order) => a.post('/jobs/complete-batch', { workerId: 'twice', items: order.map((id) => ({ id })) })),
      );
      expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      for (const id of ids) {
        const statuses = answers.map((r) => (r.body.items as Array<{ id: string; status: string }>).find((item) => item.id === id)!.status);
        expect(statuses.filter((status) => status === 'succeeded')).toHaveLength(1);
        expect(statuses.filter((status) => status === 'conflict')).toHaveLength(3);
      }
      const rows = await a.sql(
        `SELECT j."status", (SELECT count(*)::int FROM $schema."job_logs" l WHERE l."job_id" = j."id" AND l."data"->>'event' = 'completed') AS "completed"
           FROM $schema."jobs" j WHERE j."id" = ANY($1::uuid[])`,
        [ids],
      );
      expect(rows).toHaveLength(60);
      expect(rows.filter((row) => row.status !== 'succeeded' || row.completed !== 1)).toEqual([]);
    });

    it.each([
      ['no items', { workerId: 'w', items: [] }, 'items'],
      ['101 items', { workerId: 'w', items: Array.from({ length: 101 }, () => ({ id: MISSING_ID })) }, 'items'],
      ['a malformed id', { workerId: 'w', items: [{ id: MISSING_ID }, { id: 'nope' }] }, 'items.1.id'],
      ['a result that is not an object', { workerId: 'w', items: [{ id: MISSING_ID, result: [1] }] }, 'items.0.result'],
      ['no workerId', { items: [{ id: MISSING_ID }] }, 'workerId'],
    ])('answers 400 for %s', async (_name, body, named) => {
      const res = await a.post('/jobs/complete-batch', body).expect(400);
      expect(JSON.stringify(res.body.message)).toContain(named);
    });
  });

  describe('POST /jobs/{id}/retry', () => {
    it('queues a failed job again, due now, with its attempts reset', async () => {
      await emptyQueue();
      const job = await createJob(a, targetId, { maxAttempts: 1 });
      await claim(a, 'w');
      await a.post(`/jobs/${job.id}/fail`, { workerId: 'w', error: 'boom' }).expect(200);
      const res = await a.post(`/jobs/${job.id}/retry`).expect(200);
      expect(res.body).toMatchObject({ status: 'queued', attempts: 0, error: null, finishedAt: null, progress: null });
      expect(Date.parse(res.body.runAt)).toBeLessThanOrEqual(Date.now() + 1000);
      const again = await claim(a, 'w2');
      expect([again?.id, again?.attempts]).toEqual([job.id, 1]);
      expect(await events(job.id)).toEqual(['claimed', 'failed', 'requeued', 'claimed']);
    });

    it('queues a cancelled job again', async () => {
      const job = await createJob(a, targetId);
      await a.post(`/jobs/${job.id}/cancel`).expect(200);
      expect((await a.post(`/jobs/${job.id}/retry`).expect(200)).body.status).toBe('queued');
    });

    it('answers 409 for a queued, running or succeeded job, 404 for an unknown one', async () => {
      await emptyQueue();
      const queued = await createJob(a, targetId);
      expect((await a.post(`/jobs/${queued.id}/retry`).expect(409)).body.message).toContain('queued');
      await claim(a, 'w');
      expect((await a.post(`/jobs/${queued.id}/retry`).expect(409)).body.message).toContain('running');
      await a.post(`/jobs/${queued.id}/complete`, { workerId: 'w' }).expect(200);
      await a.post(`/jobs/${queued.id}/retry`).expect(409);
      expect((await a.get(`/jobs/${queued.id}`).expect(200)).body.status).toBe('succeeded');
      await a.post(`/jobs/${MISSING_ID}/retry`).expect(404);
      await a.post('/jobs/nope/retry').expect(400);
    });
  });

  describe('heartbeat progress', () => {
    it('shows the latest progress as Job.progress, cleared when a new attempt starts', async () => {
      await emptyQueue();
      const job = await createJob(a, targetId);
      await claim(a, 'w');
      expect((await a.get(`/jobs/${job.id}`).expect(200)).body.progress).toBeNull();
      await a.post(`/jobs/${job.id}/heartbeat`, { workerId: 'w', progress: { percent: 40, message: '4 of 10' } }).expect(200);
      expect((await a.get(`/jobs/${job.id}`).expect(200)).body.progress).toEqual({ percent: 40, message: '4 of 10' });
      const plain = await a.post(`/jobs/${job.id}/heartbeat`, { workerId: 'w' }).expect(200);
      expect(plain.body.progress).toEqual({ percent: 40, message: '4 of 10' });
      const next = await a.post(`/jobs/${job.id}/heartbeat`, { workerId: 'w', progress: { percent: 62 } }).expect(200);
      expect(next.body.progress).toEqual({ percent: 62 });
      await a.post(`/jobs/${job.id}/fail`, { workerId: 'w', error: 'x', retryDelaySeconds: 0 }).expect(200);
      const second = await claim(a, 'w');
      expect([second?.id, second?.progress]).toEqual([job.id, null]);
    });

    it.each([
      ['percent over 100', { percent: 101 }, 'progress.percent'],
      ['percent negative', { percent: -1 }, 'progress.percent'],
      ['percent missing', { message: 'x' }, 'progress.percent'],
      ['percent not an integer', { percent: 62.5 }, 'progress.percent'],
      ['a message over 500 characters', { percent: 1, message: 'm'.repeat(501) }, 'progress.message'],
      ['progress not an object', 5, 'progress'],
    ])('answers 400 for %s and changes nothing', async (_name, progress, named) => {
      await emptyQueue();
      const job = await createJob(a, targetId);
      await claim(a, 'w');
      const res = await a.post(`/jobs/${job.id}/heartbeat`, { workerId: 'w', progress }).expect(400);
      expect(JSON.stringify(res.body.message)).toContain(named);
      expect((await a.get(`/jobs/${job.id}`).expect(200)).body.progress).toBeNull();
    });
  });
});
