import type { TestApp } from '../utils/test-app';
import {
  claim,
  createJob,
  createSession,
  createTarget,
  ISO,
  JobBody,
  JobLogBody,
  listAll,
  MISSING_ID,
  TenantClient,
  tenantClient,
  tenantWithTarget,
  UUID,
} from '../utils/domain-fixtures';

describe('jobs', () => {
  let t: TestApp;
  let a: TenantClient;
  let targetId: string;

  beforeAll(async () => {
    ({ t, a, targetId } = await tenantWithTarget());
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('POST /jobs', () => {
    it('queues a job with defaults (201)', async () => {
      const before = Date.now();
      const res = await a.post('/jobs', { targetId, type: 'backup' }).expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID),
        targetId,
        sessionId: null,
        type: 'backup',
        payload: {},
        status: 'queued',
        priority: 0,
        attempts: 0,
        maxAttempts: 3,
        runAt: expect.stringMatching(ISO),
        workerId: null,
        leaseExpiresAt: null,
        result: null,
        error: null,
        progress: null,
        createdAt: expect.stringMatching(ISO),
        updatedAt: res.body.createdAt,
        startedAt: null,
        finishedAt: null,
      });
      expect(Math.abs(Date.parse(res.body.runAt) - before)).toBeLessThan(5000);
      expect((await a.get(`/jobs/${res.body.id}`).expect(200)).body).toEqual(res.body);
    });

    it('takes every field at its limits', async () => {
      const session = await createSession(a, targetId);
      const payload = { blob: 'p'.repeat(256 * 1024 - JSON.stringify({ blob: '' }).length) };
      expect(Buffer.byteLength(JSON.stringify(payload))).toBe(256 * 1024);
      await a.post('/jobs', { targetId, type: 'x', payload: { blob: `${payload.blob}p` } }).expect(400);
      const body = {
        targetId,
        sessionId: session.id,
        type: 't'.repeat(100),
        payload,
        priority: -100,
        maxAttempts: 20,
        runAt: '2099-12-31T23:59:59.999Z',
      };
      const res = await a.post('/jobs', body).expect(201);
      expect(res.body).toMatchObject(body);
      await a.post('/jobs', { targetId, type: 'x', priority: 100, maxAttempts: 1 }).expect(201);
    });

    it('answers 404 for an unknown target or a session of another target, writing nothing', async () => {
      const other = await createTarget(a);
      const otherSession = await createSession(a, other.id);
      const before = await a.count('jobs');
      const unknownTarget = await a.post('/jobs', { targetId: MISSING_ID, type: 'x' }).expect(404);
      expect(unknownTarget.body.message).toBe('Target not found');
      const wrongSession = await a.post('/jobs', { targetId, sessionId: otherSession.id, type: 'x' }).expect(404);
      expect(wrongSession.body.message).toBe('Session not found for this target');
      await a.post('/jobs', { targetId, sessionId: MISSING_ID, type: 'x' }).expect(404);
      expect(await a.count('jobs')).toBe(before);
    });

    it.each<[string, (targetId: string) => unknown]>([
      ['missing targetId', () => ({ type: 'x' })],
      ['malformed targetId', () => ({ targetId: 'x', type: 'x' })],
      ['missing type', (targetId) => ({ targetId })],
      ['empty type', (targetId) => ({ targetId, type: '' })],
      ['type too long', (targetId) => ({ targetId, type: 't'.repeat(101) })],
      ['malformed sessionId', (targetId) => ({ targetId, type: 'x', sessionId: '1' })],
      ['null sessionId', (targetId) => ({ targetId, type: 'x', sessionId: null })],
      ['payload an array', (targetId) => ({ targetId, type: 'x', payload: [1] })],
      ['payload a string', (targetId) => ({ targetId, type: 'x', payload: 'x' })],
      ['payload over 256 KiB', (targetId) => ({ targetId, type: 'x', payload: { a: 'x'.repeat(256 * 1024) } })],
      ['priority 101', (targetId) => ({ targetId, type: 'x', priority: 101 })],
      ['priority -101', (targetId) => ({ targetId, type: 'x', priority: -101 })],
      ['priority fractional', (targetId) => ({ targetId, type: 'x', priority: 1.5 })],
      ['priority a string', (targetId) => ({ targetId, type: 'x', priority: '1' })],
      ['maxAttempts 0', (targetId) => ({ targetId, type: 'x', maxAttempts: 0 })],
      ['maxAttempts 21', (targetId) => ({ targetId, type: 'x', maxAttempts: 21 })],
      ['runAt not a date', (targetId) => ({ targetId, type: 'x', runAt: 'tomorrow' })],
      ['runAt a number', (targetId) => ({ targetId, type: 'x', runAt: 1700000000000 })],
      ['runAt impossible date', (targetId) => ({ targetId, type: 'x', runAt: '2024-02-30T00:00:00Z' })],
      ['status', (targetId) => ({ targetId, type: 'x', status: 'succeeded' })],
      ['attempts', (targetId) => ({ targetId, type: 'x', attempts: 5 })],
      ['workerId', (targetId) => ({ targetId, type: 'x', workerId: 'w' })],
      ['unknown field', (targetId) => ({ targetId, type: 'x', color: 'red' })],
    ])('answers 400 for %s and writes nothing', async (_case, body) => {
      const before = await a.count('jobs');
      const res = await a.post('/jobs', body(targetId)).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(await a.count('jobs')).toBe(before);
    });

    it('answers 413 for a body over 1 MiB', async () => {
      const before = await a.count('jobs');
      await a.post('/jobs', { targetId, type: 'x', payload: { a: 'x'.repeat(1024 * 1024 + 1) } }).expect(413);
      expect(await a.count('jobs')).toBe(before);
    });
  });

  describe('Idempotency-Key', () => {
    const withKey = (key: string, body: unknown) => a.post('/jobs', body).set('Idempotency-Key', key);

    it('returns the first job (200) for a retry with the same body, 409 for another body', async () => {
      const key = `key-${Date.now()}`;
      const body = { targetId, type: 'send', payload: { to: 'x', n: 1 }, priority: 5 };
      const first = await withKey(key, body).expect(201);
      const again = await withKey(key, {
        priority: 5,
        payload: { n: 1, to: 'x' },
        type: 'send',
        targetId,
        maxAttempts: 3,
      }).expect(200);
      expect(again.body).toEqual(first.body);
      const conflict = await withKey(key, { ...body, priority: 6 }).expect(409);
      expect(conflict.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
      const rows = await a.sql(`SELECT "id" FROM $schema."jobs" WHERE "idempotency_key" = $1`, [key]);
      expect(rows).toEqual([{ id: first.body.id }]);
      // Without the key, the same body makes a new job.
      const plain = await a.post('/jobs', body).expect(201);
      expect(plain.body.id).not.toBe(first.body.id);
    });

    it('makes exactly one job out of concurrent duplicates', async () => {
      const key = `concurrent-${Date.now()}`;
      const body = { targetId, type: 'once' };
      const results = await Promise.all(Array.from({ length: 20 }, () => withKey(key, body)));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, ...Array(18).fill(200), 201].sort());
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
      const rows = await a.sql(`SELECT "id" FROM $schema."jobs" WHERE "idempotency_key" = $1`, [key]);
      expect(rows).toHaveLength(1);
    });

    it.each([[''], ['k'.repeat(201)]])('answers 400 for a key of length %#', async (key) => {
      const before = await a.count('jobs');
      const res = await a.post('/jobs', { targetId, type: 'x' }).set('Idempotency-Key', key);
      expect(res.status).toBe(400);
      expect(await a.count('jobs')).toBe(before);
    });

    it('accepts a key of 200 characters', async () => {
      await withKey('k'.repeat(200), { targetId, type: 'x' }).expect(201);
    });
  });

  describe('GET /jobs', () => {
    it('lists newest first, filtered by status, target, session and type', async () => {
      const c = await tenantClient(t);
      const t1 = (await createTarget(c)).id;
      const t2 = (await createTarget(c)).id;
      const s1 = (await createSession(c, t1)).id;
      const jobs: JobBody[] = [];
      jobs.push(await createJob(c, t1, { type: 'a', sessionId: s1 }));
      jobs.push(await createJob(c, t1, { type: 'b' }));
      jobs.push(await createJob(c, t2, { type: 'a' }));
      jobs.push(await createJob(c, t2, { type: 'b', priority: 50 }));
      const running = await claim(c, 'w');
      expect(running!.id).toBe(jobs[3].id);
      const ids = (items: JobBody[]) => items.map((j) => j.id);
      const newest = [...jobs].reverse();
      expect(ids(await listAll(c, '/jobs', 1))).toEqual(ids(newest));
      expect(ids(await listAll(c, `/jobs?targetId=${t1}`))).toEqual([jobs[1].id, jobs[0].id]);
      expect(ids(await listAll(c, `/jobs?sessionId=${s1}`))).toEqual([jobs[0].id]);
      expect(ids(await listAll(c, '/jobs?type=a'))).toEqual([jobs[2].id, jobs[0].id]);
      expect(ids(await listAll(c, '/jobs?status=running'))).toEqual([jobs[3].id]);
      expect(ids(await listAll(c, '/jobs?status=queued', 2))).toEqual([jobs[2].id, jobs[1].id, jobs[0].id]);
      expect(ids(await listAll(c, `/jobs?status=queued&targetId=${t2}&type=a`))).toEqual([jobs[2].id]);
      expect(await listAll(c, '/jobs?status=failed')).toEqual([]);
    });

    it('stays correct while jobs are inserted between page fetches', async () => {
      const c = await tenantClient(t);
      const target = (await createTarget(c)).id;
      const before: JobBody[] = [];
      for (let i = 0; i < 15; i += 1) before.push(await createJob(c, target));
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: JobBody[]; nextCursor: string | null } } = await c
          .get(`/jobs?limit=4${cursor ? `&cursor=${cursor}` : ''}`)
          .expect(200);
        seen.push(...page.body.items.map((j: JobBody) => j.id));
        cursor = page.body.nextCursor;
        await Promise.all([createJob(c, target), createJob(c, target), createJob(c, target)]);
      } while (cursor);
      expect(seen).toEqual([...before].reverse().map((j) => j.id));
    });

    it.each([['status=done'], ['targetId=1'], ['sessionId=1'], ['type='], ['limit=0'], ['cursor=abc'], ['x=1']])(
      'answers 400 for ?%s',
      async (q) => {
        await a.get(`/jobs?${q}`).expect(400);
      },
    );
  });

  describe('GET /jobs/{id}', () => {
    it('answers 404 for an unknown id and 400 for a malformed one', async () => {
      await a.get(`/jobs/${MISSING_ID}`).expect(404);
      await a.get('/jobs/zzz').expect(400);
    });
  });

  describe('POST /jobs/{id}/cancel', () => {
    it('cancels a queued job (200) and logs it; a finished job answers 409', async () => {
      const job = await createJob(a, targetId, { runAt: '2099-01-01T00:00:00.000Z' });
      const res = await a.post(`/jobs/${job.id}/cancel`).expect(200);
      expect(res.body).toMatchObject({ id: job.id, status: 'cancelled', finishedAt: expect.stringMatching(ISO) });
      const again = await a.post(`/jobs/${job.id}/cancel`).expect(409);
      expect(again.body.message).toBe('Job is already cancelled');
      const logs = (await a.get(`/jobs/${job.id}/logs`).expect(200)).body.items as JobLogBody[];
      expect(logs).toEqual([
        expect.objectContaining({
          seq: 1,
          level: 'warn',
          data: expect.objectContaining({ event: 'cancelled', previousStatus: 'queued' }),
        }),
      ]);
    });

    it('cancels a running job; its worker then gets 409', async () => {
      const c = await tenantClient(t);
      const target = await createTarget(c);
      const job = await createJob(c, target.id);
      expect((await claim(c, 'w1'))!.id).toBe(job.id);
      const res = await c.post(`/jobs/${job.id}/cancel`).expect(200);
      expect(res.body).toMatchObject({ status: 'cancelled', leaseExpiresAt: null, workerId: 'w1' });
      await c.post(`/jobs/${job.id}/complete`, { workerId: 'w1' }).expect(409);
      await c.post(`/jobs/${job.id}/heartbeat`, { workerId: 'w1' }).expect(409);
      expect(await claim(c, 'w2')).toBeNull();
    });

    it('answers 409 for succeeded and failed jobs', async () => {
      const c = await tenantClient(t);
      const target = await createTarget(c);
      const done = await createJob(c, target.id, { priority: 10 });
      const failed = await createJob(c, target.id, { maxAttempts: 1 });
      await claim(c, 'w');
      await c.post(`/jobs/${done.id}/complete`, { workerId: 'w' }).expect(200);
      await claim(c, 'w');
      await c.post(`/jobs/${failed.id}/fail`, { workerId: 'w', error: 'boom' }).expect(200);
      await c.post(`/jobs/${done.id}/cancel`).expect(409);
      await c.post(`/jobs/${failed.id}/cancel`).expect(409);
      expect((await c.get(`/jobs/${done.id}`).expect(200)).body.status).toBe('succeeded');
    });

    it('answers 404 for an unknown id and 400 for a malformed one', async () => {
      await a.post(`/jobs/${MISSING_ID}/cancel`).expect(404);
      await a.post('/jobs/x/cancel').expect(400);
    });
  });
});
