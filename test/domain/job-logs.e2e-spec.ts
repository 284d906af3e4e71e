import type { TestApp } from '../utils/test-app';
import {
  createJob,
  createTarget,
  ISO,
  JobLogBody,
  MISSING_ID,
  TenantClient,
  tenantClient,
  tenantWithTarget,
} from '../utils/domain-fixtures';

describe('job logs', () => {
  let t: TestApp;
  let a: TenantClient;
  let targetId: string;

  beforeAll(async () => {
    ({ t, a, targetId } = await tenantWithTarget());
  });
  afterAll(async () => {
    await t?.close();
  });

  const logCount = async (jobId: string) =>
    Number(
      (await a.sql<{ n: string }>(`SELECT count(*) AS n FROM $schema."job_logs" WHERE "job_id" = $1`, [jobId]))[0].n,
    );

  describe('POST /jobs/{id}/logs', () => {
    it('appends a batch (201 { count }) numbered from 1, oldest first', async () => {
      const job = await createJob(a, targetId);
      const res = await a
        .post(`/jobs/${job.id}/logs`, {
          entries: [
            { level: 'debug', message: 'one' },
            { level: 'info', message: 'two', data: { n: 2 }, timestamp: '2030-05-06T07:08:09.123Z' },
            { level: 'error', message: 'three' },
          ],
        })
        .expect(201);
      expect(res.body).toEqual({ count: 3 });
      await a.post(`/jobs/${job.id}/logs`, { entries: [{ level: 'warn', message: 'four' }] }).expect(201);
      const list = await a.get(`/jobs/${job.id}/logs`).expect(200);
      expect(list.body).toEqual({
        items: [
          { seq: 1, level: 'debug', message: 'one', data: null, timestamp: expect.stringMatching(ISO) },
          { seq: 2, level: 'info', message: 'two', data: { n: 2 }, timestamp: '2030-05-06T07:08:09.123Z' },
          { seq: 3, level: 'error', message: 'three', data: null, timestamp: expect.stringMatching(ISO) },
          { seq: 4, level: 'warn', message: 'four', data: null, timestamp: expect.stringMatching(ISO) },
        ],
        nextCursor: null,
      });
    });

    it('takes 1000 entries in one batch', async () => {
      const job = await createJob(a, targetId);
      const entries = Array.from({ length: 1000 }, (_, i) => ({ level: 'info', message: `line ${i + 1}` }));
      await a.post(`/jobs/${job.id}/logs`, { entries }).expect(201);
      expect(await logCount(job.id)).toBe(1000);
      const rows = await a.sql<{ seq: number; message: string }>(
        `SELECT "seq", "message" FROM $schema."job_logs" WHERE "job_id" = $1 ORDER BY "seq"`,
        [job.id],
      );
      expect(rows.every((r, i) => r.seq === i + 1 && r.message === `line ${i + 1}`)).toBe(true);
    });

    it.each<[string, unknown]>([
      ['no entries', { entries: [] }],
      ['entries missing', {}],
      ['entries not an array', { entries: { level: 'info', message: 'x' } }],
      ['1001 entries', { entries: Array.from({ length: 1001 }, () => ({ level: 'info', message: 'x' })) }],
      [
        'one bad level in the batch',
        {
          entries: [
            { level: 'info', message: 'ok' },
            { level: 'fatal', message: 'x' },
          ],
        },
      ],
      [
        'an empty message',
        {
          entries: [
            { level: 'info', message: 'ok' },
            { level: 'info', message: '' },
          ],
        },
      ],
      ['a message too long', { entries: [{ level: 'info', message: 'm'.repeat(10_001) }] }],
      ['data an array', { entries: [{ level: 'info', message: 'x', data: [1] }] }],
      ['a bad timestamp', { entries: [{ level: 'info', message: 'x', timestamp: 'yesterday' }] }],
      ['an unknown entry field', { entries: [{ level: 'info', message: 'x', seq: 7 }] }],
      ['an entry that is not an object', { entries: ['hello'] }],
      ['an unknown body field', { entries: [{ level: 'info', message: 'x' }], jobId: MISSING_ID }],
    ])('answers 400 for %s and writes none of the batch', async (_case, body) => {
      const job = await createJob(a, targetId);
      const res = await a.post(`/jobs/${job.id}/logs`, body).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400 });
      expect(await logCount(job.id)).toBe(0);
      const [row] = await a.sql<{ log_seq: number }>(`SELECT "log_seq" FROM $schema."jobs" WHERE "id" = $1`, [job.id]);
      expect(row.log_seq).toBe(0);
    });

    it('answers 413 for a batch over 1 MiB and writes nothing', async () => {
      const job = await createJob(a, targetId);
      const entries = Array.from({ length: 200 }, () => ({ level: 'info', message: 'm'.repeat(6000) }));
      await a.post(`/jobs/${job.id}/logs`, { entries }).expect(413);
      expect(await logCount(job.id)).toBe(0);
    });

    it('answers 404 for an unknown job and 400 for a malformed id', async () => {
      await a.post(`/jobs/${MISSING_ID}/logs`, { entries: [{ level: 'info', message: 'x' }] }).expect(404);
      await a.post('/jobs/nope/logs', { entries: [{ level: 'info', message: 'x' }] }).expect(400);
    });

    it('numbers concurrent batches 1..N with no gaps or duplicates, each batch contiguous', async () => {
      const job = await createJob(a, targetId);
      const batches = 10;
      const size = 25;
      const results = await Promise.all(
        Array.from({ length: batches }, (_, b) =>
          a.post(`/jobs/${job.id}/logs`, {
            entries: Array.from({ length: size }, (_, i) => ({ level: 'info', message: `b${b}-${i}` })),
          }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(batches).fill(201));
      const rows = await a.sql<{ seq: number; message: string }>(
        `SELECT "seq", "message" FROM $schema."job_logs" WHERE "job_id" = $1 ORDER BY "seq"`,
        [job.id],
      );
      expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: batches * size }, (_, i) => i + 1));
      for (let start = 0; start < rows.length; start += size) {
        const batch = rows[start].message.split('-')[0];
        expect(rows.slice(start, start + size).map((r) => r.message)).toEqual(
          Array.from({ length: size }, (_, i) => `${batch}-${i}`),
        );
      }
    });

    it('interleaves server entries and client entries in one gapless sequence', async () => {
      const c = await tenantClient(t);
      const target = await createTarget(c);
      const job = await createJob(c, target.id);
      await c.post('/jobs/claim', { workerId: 'w' }).expect(200);
      await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          c.post(`/jobs/${job.id}/logs`, { entries: [{ level: 'info', message: `${i}` }] }).expect(201),
        ),
      );
      await c.post(`/jobs/${job.id}/complete`, { workerId: 'w' }).expect(200);
      const items = (await c.get(`/jobs/${job.id}/logs`).expect(200)).body.items as JobLogBody[];
      expect(items.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(items[0].data?.event).toBe('claimed');
      expect(items[6].data?.event).toBe('completed');
    });
  });

  describe('GET /jobs/{id}/logs', () => {
    let jobId: string;
    beforeAll(async () => {
      jobId = (await createJob(a, targetId)).id;
      const levels = ['debug', 'info', 'warn', 'error'];
      const entries = Array.from({ length: 12 }, (_, i) => ({ level: levels[i % 4], message: `m${i + 1}` }));
      await a.post(`/jobs/${jobId}/logs`, { entries }).expect(201);
    });

    it('pages oldest first with after / nextCursor', async () => {
      const page1 = await a.get(`/jobs/${jobId}/logs?limit=5`).expect(200);
      expect(page1.body.items.map((l: JobLogBody) => l.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(page1.body.nextCursor).toBe('5');
      const page2 = await a.get(`/jobs/${jobId}/logs?limit=5&after=${page1.body.nextCursor}`).expect(200);
      expect(page2.body.items.map((l: JobLogBody) => l.seq)).toEqual([6, 7, 8, 9, 10]);
      const page3 = await a.get(`/jobs/${jobId}/logs?limit=5&cursor=${page2.body.nextCursor}`).expect(200);
      expect(page3.body).toMatchObject({ nextCursor: null });
      expect(page3.body.items.map((l: JobLogBody) => l.seq)).toEqual([11, 12]);
      expect((await a.get(`/jobs/${jobId}/logs?after=12`).expect(200)).body).toEqual({ items: [], nextCursor: null });
      expect((await a.get(`/jobs/${jobId}/logs?after=0&limit=100`).expect(200)).body.items).toHaveLength(12);
    });

    it('filters by level, continuing after the last returned seq', async () => {
      const page1 = await a.get(`/jobs/${jobId}/logs?level=warn&limit=2`).expect(200);
      expect(page1.body.items.map((l: JobLogBody) => [l.seq, l.level])).toEqual([
        [3, 'warn'],
        [7, 'warn'],
      ]);
      expect(page1.body.nextCursor).toBe('7');
      const page2 = await a.get(`/jobs/${jobId}/logs?level=warn&limit=2&after=7`).expect(200);
      expect(page2.body).toEqual({ items: [expect.objectContaining({ seq: 11 })], nextCursor: null });
    });

    it.each([
      ['after=-1'],
      ['after=abc'],
      ['after=1.5'],
      ['after='],
      ['cursor=x'],
      ['after=1&cursor=2'],
      ['limit=0'],
      ['limit=101'],
      ['level=fatal'],
      ['other=1'],
    ])('answers 400 for ?%s', async (q) => {
      await a.get(`/jobs/${jobId}/logs?${q}`).expect(400);
    });

    it('answers 404 for an unknown job and 400 for a malformed id', async () => {
      await a.get(`/jobs/${MISSING_ID}/logs`).expect(404);
      await a.get('/jobs/1/logs').expect(400);
    });
  });
});
