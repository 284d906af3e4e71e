import { createTestApp, TestApp } from '../utils/test-app';
import {
  claim,
  createJob,
  createTarget,
  ISO,
  JobLogBody,
  MISSING_ID,
  TenantClient,
  tenantClient,
} from '../utils/domain-fixtures';

describe('worker protocol', () => {
  let t: TestApp;
  let tenant: TenantClient;

  beforeAll(async () => {
    t = await createTestApp();
    tenant = await tenantClient(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A new target on an empty queue: whatever earlier tests left queued or running is cancelled directly. */
  async function setup(): Promise<{ c: TenantClient; targetId: string }> {
    await tenant.sql(
      `UPDATE $schema."jobs" SET "status" = 'cancelled', "lease_expires_at" = NULL WHERE "status" IN ('queued', 'running')`,
    );
    return { c: tenant, targetId: (await createTarget(tenant)).id };
  }

  const events = async (c: TenantClient, jobId: string) =>
    ((await c.get(`/jobs/${jobId}/logs`).expect(200)).body.items as JobLogBody[]).map((l) => l.data?.event);

  /** Simulates time passing without sleeping. */
  const makeDue = (c: TenantClient, jobId: string) =>
    c.sql(`UPDATE $schema."jobs" SET "run_at" = now() - interval '1 millisecond' WHERE "id" = $1`, [jobId]);
  const expireLease = (c: TenantClient, jobId: string) =>
    c.sql(`UPDATE $schema."jobs" SET "lease_expires_at" = now() - interval '1 second' WHERE "id" = $1`, [jobId]);

  describe('POST /jobs/claim', () => {
    it('answers 204 with no body when nothing is due', async () => {
      const { c, targetId } = await setup();
      const empty = await c.post('/jobs/claim', { workerId: 'w' }).expect(204);
      expect(empty.text).toBe('');
      await createJob(c, targetId, { runAt: new Date(Date.now() + 60_000).toISOString() });
      await c.post('/jobs/claim', { workerId: 'w' }).expect(204);
    });

    it('hands out the highest priority first, then the earliest runAt, and marks it running', async () => {
      const { c, targetId } = await setup();
      const past = (s: number) => new Date(Date.now() - s * 1000).toISOString();
      const low = await createJob(c, targetId, { priority: -5, runAt: past(100) });
      const highLate = await createJob(c, targetId, { priority: 10, runAt: past(10) });
      const highEarly = await createJob(c, targetId, { priority: 10, runAt: past(20) });
      const mid = await createJob(c, targetId, { priority: 0, runAt: past(50) });
      const claimed: string[] = [];
      for (;;) {
        const job = await claim(c, 'worker-1', { leaseSeconds: 30 });
        if (!job) break;
        claimed.push(job.id);
      }
      expect(claimed).toEqual([highEarly.id, highLate.id, mid.id, low.id]);

      const job = (await c.get(`/jobs/${highEarly.id}`).expect(200)).body;
      expect(job).toMatchObject({
        status: 'running',
        attempts: 1,
        workerId: 'worker-1',
        startedAt: expect.stringMatching(ISO),
      });
      const lease = Date.parse(job.leaseExpiresAt) - Date.parse(job.startedAt);
      expect(lease).toBeGreaterThanOrEqual(29_000);
      expect(lease).toBeLessThanOrEqual(31_000);
      const logs = (await c.get(`/jobs/${highEarly.id}/logs`).expect(200)).body.items;
      expect(logs).toEqual([
        {
          seq: 1,
          level: 'info',
          message: 'claimed by worker-1 (attempt 1 of 3)',
          data: { event: 'claimed', workerId: 'worker-1', attempt: 1, leaseExpiresAt: job.leaseExpiresAt },
          timestamp: expect.stringMatching(ISO),
        },
      ]);
    });

    it('claims only the requested types', async () => {
      const { c, targetId } = await setup();
      const a = await createJob(c, targetId, { type: 'a', priority: 9 });
      const b = await createJob(c, targetId, { type: 'b' });
      const d = await createJob(c, targetId, { type: 'd' });
      expect((await claim(c, 'w', { types: ['b'] }))!.id).toBe(b.id);
      expect(await claim(c, 'w', { types: ['b'] })).toBeNull();
      expect((await claim(c, 'w', { types: ['d', 'a'] }))!.id).toBe(a.id);
      expect((await claim(c, 'w', { types: ['d', 'zzz'] }))!.id).toBe(d.id);
    });

    it.each<[string, unknown]>([
      ['missing workerId', {}],
      ['empty workerId', { workerId: '' }],
      ['workerId too long', { workerId: 'w'.repeat(201) }],
      ['leaseSeconds 4', { workerId: 'w', leaseSeconds: 4 }],
      ['leaseSeconds 3601', { workerId: 'w', leaseSeconds: 3601 }],
      ['types empty', { workerId: 'w', types: [] }],
      ['types not strings', { workerId: 'w', types: [1] }],
      ['types a string', { workerId: 'w', types: 'a' }],
      ['unknown field', { workerId: 'w', batchSize: 5 }],
    ])('answers 400 for %s and claims nothing', async (_case, body) => {
      const { c, targetId } = await setup();
      const job = await createJob(c, targetId);
      const logsBefore = await c.count('job_logs');
      await c.post('/jobs/claim', body).expect(400);
      expect((await c.get(`/jobs/${job.id}`).expect(200)).body).toEqual(job);
      expect(await c.count('job_logs')).toBe(logsBefore);
    });
  });

  describe('heartbeat, complete, fail', () => {
    it('extends the lease on heartbeat, only for the lease holder', async () => {
      const { c, targetId } = await setup();
      const job = await createJob(c, targetId);
      const claimed = (await claim(c, 'w1', { leaseSeconds: 5 }))!;
      const res = await c.post(`/jobs/${job.id}/heartbeat`, { workerId: 'w1', leaseSeconds: 3600 }).expect(200);
      expect(Date.parse(res.body.leaseExpiresAt) - Date.parse(claimed.leaseExpiresAt!)).toBeGreaterThan(3000_000);
      const other = await c.post(`/jobs/${job.id}/heartbeat`, { workerId: 'w2' }).expect(409);
      expect(other.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
      await c.post(`/jobs/${job.id}/heartbeat`, { workerId: 'w1', leaseSeconds: 4 }).expect(400);
      expect(await events(c, job.id)).toEqual(['claimed']);
    });

    it('completes with a result, only for the lease holder, and logs it', async () => {
      const { c, targetId } = await setup();
      const job = await createJob(c, targetId);
      await claim(c, 'w1');
      await c.post(`/jobs/${job.id}/complete`, { workerId: 'w2' }).expect(409);
      const res = await c
        .post(`/jobs/${job.id}/complete`, { workerId: 'w1', result: { ok: true, n: [1, 2] } })
        .expect(200);
      expect(res.body).toMatchObject({
        status: 'succeeded',
        result: { ok: true, n: [1, 2] },
        leaseExpiresAt: null,
        workerId: 'w1',
        attempts: 1,
        finishedAt: expect.stringMatching(ISO),
      });
      await c.post(`/jobs/${job.id}/complete`, { workerId: 'w1' }).expect(409);
      await c.post(`/jobs/${job.id}/fail`, { workerId: 'w1', error: 'late' }).expect(409);
      expect(await events(c, job.id)).toEqual(['claimed', 'completed']);
    });

    it('answers 409 on a queued job and 404 on an unknown one', async () => {
      const { c, targetId } = await setup();
      const job = await createJob(c, targetId);
      await c.post(`/jobs/${job.id}/heartbeat`, { workerId: 'w' }).expect(409);
      await c.post(`/jobs/${job.id}/complete`, { workerId: 'w' }).expect(409);
      await c.post(`/jobs/${job.id}/fail`, { workerId: 'w', error: 'x' }).expect(409);
      await c.post(`/jobs/${MISSING_ID}/heartbeat`, { workerId: 'w' }).expect(404);
      await c.post(`/jobs/${MISSING_ID}/complete`, { workerId: 'w' }).expect(404);
      await c.post(`/jobs/${MISSING_ID}/fail`, { workerId: 'w', error: 'x' }).expect(404);
      await c.post('/jobs/abc/complete', { workerId: 'w' }).expect(400);
      expect((await c.get(`/jobs/${job.id}`).expect(200)).body.status).toBe('queued');
    });

    it.each<[string, string, unknown]>([
      ['complete', 'result an array', { workerId: 'w', result: [] }],
      ['complete', 'result over 256 KiB', { workerId: 'w', result: { a: 'x'.repeat(256 * 1024) } }],
      ['complete', 'missing workerId', { result: {} }],
      ['complete', 'status', { workerId: 'w', status: 'failed' }],
      ['fail', 'missing error', { workerId: 'w' }],
      ['fail', 'empty error', { workerId: 'w', error: '' }],
      ['fail', 'error too long', { workerId: 'w', error: 'e'.repeat(10_001) }],
      ['fail', 'retryable a string', { workerId: 'w', error: 'x', retryable: 'no' }],
      ['fail', 'negative delay', { workerId: 'w', error: 'x', retryDelaySeconds: -1 }],
      ['fail', 'fractional delay', { workerId: 'w', error: 'x', retryDelaySeconds: 0.5 }],
      ['heartbeat', 'unknown field', { workerId: 'w', extra: true }],
    ])('%s answers 400 for %s and changes nothing', async (route, _case, body) => {
      const { c, targetId } = await setup();
      const job = await createJob(c, targetId);
      const claimed = (await claim(c, 'w'))!;
      await c.post(`/jobs/${job.id}/${route}`, body).expect(400);
      const after = (await c.get(`/jobs/${job.id}`).expect(200)).body;
      expect(after).toEqual(claimed);
      expect(await events(c, job.id)).toEqual(['claimed']);
    });
  });

  describe('retries', () => {
    it('fail → queued again with exponential backoff → claimed again → succeeds', async () => {
      const { c, targetId } = await setup();
      const job = await createJob(c, targetId, { maxAttempts: 3 });
      const base = t.config.JOB_BACKOFF_BASE_SECONDS;

      await claim(c, 'w1');
      const failed = await c.post(`/jobs/${job.id}/fail`, { workerId: 'w1', error: 'timeout' }).expect(200);
      expect(failed.body).toMatchObject({
        status: 'queued',
        attempts: 1,
        error: 'timeout',
        leaseExpiresAt: null,
        finishedAt: null,
      });
      const delay1 = Date.parse(failed.body.runAt) - Date.parse(failed.body.updatedAt);
      expect(delay1).toBe(base * 1000);
      expect(await claim(c, 'w2')).toBeNull(); // not due yet

      await makeDue(c, job.id);
      expect((await claim(c, 'w2'))!).toMatchObject({ id: job.id, attempts: 2, workerId: 'w2' });
      const failed2 = await c.post(`/jobs/${job.id}/fail`, { workerId: 'w2', error: 'timeout again' }).expect(200);
      expect(Date.parse(failed2.body.runAt) - Date.parse(failed2.body.updatedAt)).toBe(base * 2 * 1000);

      await makeDue(c, job.id);
      expect((await claim(c, 'w3'))!).toMatchObject({ id: job.id, attempts: 3 });
      const done = await c.post(`/jobs/${job.id}/complete`, { workerId: 'w3', result: { ok: 1 } }).expect(200);
      expect(done.body).toMatchObject({ status: 'succeeded', attempts: 3, error: null });
      expect(await events(c, job.id)).toEqual(['claimed', 'retried', 'claimed', 'retried', 'claimed', 'completed']);
    });

    it('uses retryDelaySeconds when given (0: due at once)', async () => {
      const { c, targetId } = await setup();
      const job = await createJob(c, targetId);
      await claim(c, 'w');
      const res = await c
        .post(`/jobs/${job.id}/fail`, { workerId: 'w', error: 'x', retryDelaySeconds: 120 })
        .expect(200);
      expect(Date.parse(res.body.runAt) - Date.parse(res.body.updatedAt)).toBe(120_000);
      await makeDue(c, job.id);
      await claim(c, 'w');
      await c.post(`/jobs/${job.id}/fail`, { workerId: 'w', error: 'x', retryDelaySeconds: 0 }).expect(200);
      expect((await claim(c, 'w'))!.id).toBe(job.id);
    });

    it('fails for good when attempts are used up or the error is not retryable', async () => {
      const { c, targetId } = await setup();
      const last = await createJob(c, targetId, { maxAttempts: 1, priority: 2 });
      const fatal = await createJob(c, targetId, { maxAttempts: 5, priority: 1 });
      await claim(c, 'w');
      const res1 = await c.post(`/jobs/${last.id}/fail`, { workerId: 'w', error: 'boom' }).expect(200);
      expect(res1.body).toMatchObject({
        status: 'failed',
        attempts: 1,
        error: 'boom',
        finishedAt: expect.stringMatching(ISO),
      });
      await claim(c, 'w');
      const res2 = await c
        .post(`/jobs/${fatal.id}/fail`, { workerId: 'w', error: 'bad input', retryable: false })
        .expect(200);
      expect(res2.body).toMatchObject({ status: 'failed', attempts: 1 });
      expect(await claim(c, 'w')).toBeNull();
      const logs = (await c.get(`/jobs/${fatal.id}/logs`).expect(200)).body.items as JobLogBody[];
      expect(logs[1]).toMatchObject({
        level: 'error',
        data: { event: 'failed', error: 'bad input', retryable: false },
      });
    });
  });

  describe('lease expiry', () => {
    it('counts an expired lease as a failed attempt: requeued, claimed by another worker, old holder refused', async () => {
      const { c, targetId } = await setup();
      const job = await createJob(c, targetId, { maxAttempts: 2 });
      await claim(c, 'w1', { leaseSeconds: 5 });
      await expireLease(c, job.id);

      // The expired holder no longer holds the lease, even before anyone sweeps.
      await c.post(`/jobs/${job.id}/heartbeat`, { workerId: 'w1' }).expect(409);
      const second = (await claim(c, 'w2'))!;
      expect(second).toMatchObject({
        id: job.id,
        attempts: 2,
        workerId: 'w2',
        status: 'running',
        error: 'lease expired',
      });
      await c.post(`/jobs/${job.id}/complete`, { workerId: 'w1' }).expect(409);
      await c.post(`/jobs/${job.id}/complete`, { workerId: 'w2' }).expect(200);

      const logs = (await c.get(`/jobs/${job.id}/logs`).expect(200)).body.items as JobLogBody[];
      expect(logs.map((l) => [l.seq, l.data?.event])).toEqual([
        [1, 'claimed'],
        [2, 'lease_expired'],
        [3, 'claimed'],
        [4, 'completed'],
      ]);
      expect(logs[1]).toMatchObject({ level: 'warn', data: { workerId: 'w1', attempt: 1, status: 'queued' } });
    });

    it('fails the job when its last attempt expires', async () => {
      const { c, targetId } = await setup();
      const job = await createJob(c, targetId, { maxAttempts: 1 });
      await claim(c, 'w1');
      await expireLease(c, job.id);
      expect(await claim(c, 'w2')).toBeNull();
      const after = (await c.get(`/jobs/${job.id}`).expect(200)).body;
      expect(after).toMatchObject({ status: 'failed', attempts: 1, error: 'lease expired', leaseExpiresAt: null });
      expect(await events(c, job.id)).toEqual(['claimed', 'lease_expired']);
    });

    it('keeps a live lease when the holder heartbeats in time', async () => {
      const { c, targetId } = await setup();
      const job = await createJob(c, targetId);
      await claim(c, 'w1', { leaseSeconds: 5 });
      await c.post(`/jobs/${job.id}/heartbeat`, { workerId: 'w1', leaseSeconds: 60 }).expect(200);
      expect(await claim(c, 'w2')).toBeNull();
      expect((await c.get(`/jobs/${job.id}`).expect(200)).body).toMatchObject({ status: 'running', workerId: 'w1' });
    });
  });
});
