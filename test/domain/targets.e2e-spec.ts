import { createTestApp, TestApp } from '../utils/test-app';
import {
  claim,
  createJob,
  createSession,
  createTarget,
  ISO,
  listAll,
  MISSING_ID,
  TargetBody,
  TenantClient,
  tenantClient,
  uniqueName,
  UUID,
} from '../utils/domain-fixtures';

describe('targets', () => {
  let t: TestApp;
  let a: TenantClient;

  beforeAll(async () => {
    t = await createTestApp();
    a = await tenantClient(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('POST /targets', () => {
    it('creates a target with defaults and answers 201 Target', async () => {
      const name = uniqueName();
      const res = await a.post('/targets', { name: `  ${name}  `, address: '10.0.0.1' }).expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID),
        name,
        kind: 'generic',
        address: '10.0.0.1',
        tags: [],
        metadata: {},
        createdAt: expect.stringMatching(ISO),
        updatedAt: res.body.createdAt,
      });
      const [row] = await a.sql(`SELECT * FROM $schema."targets" WHERE "id" = $1`, [res.body.id]);
      expect(row).toMatchObject({ name, kind: 'generic', address: '10.0.0.1', tags: [], metadata: {} });
    });

    it('stores every field at its limits', async () => {
      const body = {
        name: 'n'.repeat(200),
        kind: 'k'.repeat(50),
        address: 'a'.repeat(2048),
        tags: Array.from({ length: 20 }, (_, i) => `${i}`.padEnd(50, 't')),
        metadata: { nested: { list: [1, 'two', null] }, blob: '' },
      };
      body.metadata.blob = 'x'.repeat(16 * 1024 - JSON.stringify(body.metadata).length);
      expect(Buffer.byteLength(JSON.stringify(body.metadata))).toBe(16 * 1024);
      const over = { ...body, name: 'over', metadata: { ...body.metadata, blob: `${body.metadata.blob}x` } };
      await a.post('/targets', over).expect(400);
      const res = await a.post('/targets', body).expect(201);
      expect(res.body).toMatchObject(body);
      const got = await a.get(`/targets/${res.body.id}`).expect(200);
      expect(got.body).toEqual(res.body);
    });

    it('answers 409 for a duplicate name, also under concurrent creates, and keeps one row', async () => {
      const name = uniqueName();
      const results = await Promise.all(Array.from({ length: 8 }, () => a.post('/targets', { name, address: 'x' })));
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
      const conflict = results.find((r) => r.status === 409)!;
      expect(conflict.body).toMatchObject({
        statusCode: 409,
        error: 'Conflict',
        message: expect.stringContaining(name),
      });
      const rows = await a.sql(`SELECT "id" FROM $schema."targets" WHERE "name" = $1`, [name]);
      expect(rows).toHaveLength(1);
    });

    it.each<[string, unknown]>([
      ['missing name', { address: 'x' }],
      ['empty name', { name: '', address: 'x' }],
      ['blank name', { name: '   ', address: 'x' }],
      ['name too long', { name: 'n'.repeat(201), address: 'x' }],
      ['name not a string', { name: 42, address: 'x' }],
      ['name with NUL', { name: 'a\u0000b', address: 'x' }],
      ['missing address', { name: 'n' }],
      ['address too long', { name: 'n', address: 'a'.repeat(2049) }],
      ['empty kind', { name: 'n', address: 'x', kind: '' }],
      ['kind too long', { name: 'n', address: 'x', kind: 'k'.repeat(51) }],
      ['null kind', { name: 'n', address: 'x', kind: null }],
      ['tags not an array', { name: 'n', address: 'x', tags: 'a' }],
      ['21 tags', { name: 'n', address: 'x', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }],
      ['empty tag', { name: 'n', address: 'x', tags: [''] }],
      ['tag too long', { name: 'n', address: 'x', tags: ['t'.repeat(51)] }],
      ['tag not a string', { name: 'n', address: 'x', tags: [1] }],
      ['metadata an array', { name: 'n', address: 'x', metadata: [] }],
      ['metadata null', { name: 'n', address: 'x', metadata: null }],
      ['metadata a string', { name: 'n', address: 'x', metadata: 'x' }],
      ['metadata over 16 KiB', { name: 'n', address: 'x', metadata: { blob: 'x'.repeat(16 * 1024) } }],
      ['metadata with NUL', { name: 'n', address: 'x', metadata: { a: '\u0000' } }],
      ['metadata with a lone surrogate', { name: 'n', address: 'x', metadata: { a: '\ud800' } }],
      ['unknown field', { name: 'n', address: 'x', color: 'red' }],
      ['mass assignment of id', { name: 'n', address: 'x', id: MISSING_ID }],
      ['mass assignment of createdAt', { name: 'n', address: 'x', createdAt: '2020-01-01T00:00:00.000Z' }],
      ['an array body', [{ name: 'n', address: 'x' }]],
    ])('answers 400 for %s and writes nothing', async (_case, body) => {
      const before = await a.count('targets');
      const res = await a.post('/targets', body).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', requestId: expect.any(String) });
      expect(await a.count('targets')).toBe(before);
    });

    it('lists every problem of a body in message', async () => {
      const res = await a.post('/targets', { name: '', kind: '', address: '', extra: 1 }).expect(400);
      expect(res.body.message).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/name/),
          expect.stringMatching(/kind/),
          expect.stringMatching(/address/),
          expect.stringMatching(/extra/),
        ]),
      );
    });

    it('answers 400 for malformed JSON and 413 for a body over 1 MiB, writing nothing', async () => {
      const before = await a.count('targets');
      await a.post('/targets').set('Content-Type', 'application/json').send('{"name": ').expect(400);
      const huge = { name: 'n', address: 'x', metadata: { blob: 'x'.repeat(1024 * 1024) } };
      const res = await a.post('/targets', huge).expect(413);
      expect(res.body).toMatchObject({ statusCode: 413 });
      expect(await a.count('targets')).toBe(before);
    });
  });

  describe('GET /targets/{id}', () => {
    it('answers 404 for an unknown id and 400 for a malformed one', async () => {
      const res = await a.get(`/targets/${MISSING_ID}`).expect(404);
      expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found', message: 'Target not found' });
      await a.get('/targets/not-a-uuid').expect(400);
    });
  });

  describe('PATCH /targets/{id}', () => {
    it('changes the given fields only, replaces tags and metadata, and bumps updatedAt', async () => {
      const target = await createTarget(a, { kind: 'router', tags: ['a', 'b'], metadata: { x: 1, y: 2 } });
      await new Promise((resolve) => setTimeout(resolve, 5));
      const res = await a.patch(`/targets/${target.id}`, { tags: ['c'], metadata: { z: 3 } }).expect(200);
      expect(res.body).toEqual({ ...target, tags: ['c'], metadata: { z: 3 }, updatedAt: expect.stringMatching(ISO) });
      expect(Date.parse(res.body.updatedAt)).toBeGreaterThan(Date.parse(target.updatedAt));
      expect((await a.get(`/targets/${target.id}`).expect(200)).body).toEqual(res.body);
    });

    it('answers 409 when renaming to a taken name, leaving the target unchanged', async () => {
      const first = await createTarget(a);
      const second = await createTarget(a);
      await a.patch(`/targets/${second.id}`, { name: first.name }).expect(409);
      expect((await a.get(`/targets/${second.id}`).expect(200)).body).toEqual(second);
    });

    it.each<[string, unknown]>([
      ['null name', { name: null }],
      ['empty address', { address: '' }],
      ['metadata array', { metadata: [1] }],
      ['unknown field', { owner: 'me' }],
      ['id', { id: MISSING_ID }],
      ['updatedAt', { updatedAt: '2020-01-01T00:00:00.000Z' }],
    ])('answers 400 for %s and changes nothing', async (_case, body) => {
      const target = await createTarget(a);
      await a.patch(`/targets/${target.id}`, body).expect(400);
      expect((await a.get(`/targets/${target.id}`).expect(200)).body).toEqual(target);
    });

    it('answers 404 for an unknown id and 400 for a malformed one', async () => {
      await a.patch(`/targets/${MISSING_ID}`, { kind: 'x' }).expect(404);
      await a.patch('/targets/123', { kind: 'x' }).expect(400);
    });
  });

  describe('GET /targets', () => {
    let c: TenantClient;
    beforeAll(async () => {
      c = await tenantClient(t);
    });

    it('lists newest first with keyset pages, filtered by tag and kind', async () => {
      const made: TargetBody[] = [];
      for (let i = 0; i < 7; i += 1) {
        made.push(await createTarget(c, { kind: i % 2 ? 'odd' : 'even', tags: i % 3 === 0 ? ['three', 'x'] : ['x'] }));
      }
      const newestFirst = [...made].reverse();
      const page1 = await c.get('/targets?limit=3').expect(200);
      expect(page1.body.items).toEqual(newestFirst.slice(0, 3));
      expect(typeof page1.body.nextCursor).toBe('string');
      expect(await listAll(c, '/targets', 3)).toEqual(newestFirst);
      expect(await listAll(c, '/targets?kind=odd', 2)).toEqual(newestFirst.filter((x) => x.kind === 'odd'));
      expect(await listAll(c, '/targets?tag=three', 1)).toEqual(newestFirst.filter((x) => x.tags.includes('three')));
      expect(await listAll(c, '/targets?tag=three&kind=even')).toEqual(
        newestFirst.filter((x) => x.tags.includes('three') && x.kind === 'even'),
      );
      const last = await c.get('/targets?limit=100').expect(200);
      expect(last.body.nextCursor).toBeNull();
      expect((await c.get('/targets?tag=nothing').expect(200)).body).toEqual({ items: [], nextCursor: null });
    });

    it('stays correct while rows are inserted between page fetches', async () => {
      const d = await tenantClient(t);
      const before: TargetBody[] = [];
      for (let i = 0; i < 12; i += 1) before.push(await createTarget(d));
      const seen: TargetBody[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: TargetBody[]; nextCursor: string | null } } = await d
          .get(`/targets?limit=5${cursor ? `&cursor=${cursor}` : ''}`)
          .expect(200);
        seen.push(...page.body.items);
        cursor = page.body.nextCursor;
        await Promise.all([createTarget(d), createTarget(d)]);
      } while (cursor);
      expect(seen.map((x) => x.id)).toEqual([...before].reverse().map((x) => x.id));
    });

    it.each([
      ['limit=0'],
      ['limit=101'],
      ['limit=-1'],
      ['limit=abc'],
      ['limit=1.5'],
      ['cursor=garbage'],
      [`cursor=${Buffer.from('["x","y"]').toString('base64url')}`],
      [`cursor=${Buffer.from('[1,2]').toString('base64url')}`],
      [`cursor=${Buffer.from(`["1","${MISSING_ID}"]`).toString('base64url')}`],
      [`cursor=${Buffer.from(`["2020-02-30T00:00:00.000Z","${MISSING_ID}"]`).toString('base64url')}`],
      [`cursor=${Buffer.from(`["2020-01-01T00:00:00.000Z","not-a-uuid"]`).toString('base64url')}`],
      ['kind='],
      ['tag=' + 't'.repeat(51)],
      ['tag=a&tag=b'],
      ['unknown=1'],
    ])('answers 400 for ?%s', async (query) => {
      const res = await a.get(`/targets?${query}`).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400 });
    });
  });

  describe('DELETE /targets/{id}', () => {
    it('removes the target with its sessions, jobs and logs', async () => {
      const target = await createTarget(a);
      const keep = await createTarget(a);
      const session = await createSession(a, target.id);
      const job = await createJob(a, target.id, { sessionId: session.id });
      await createJob(a, target.id);
      const kept = await createJob(a, keep.id);
      await a.post(`/jobs/${job.id}/logs`, { entries: [{ level: 'info', message: 'hi' }] }).expect(201);

      await a.delete(`/targets/${target.id}`).expect(204);
      await a.get(`/targets/${target.id}`).expect(404);
      await a.get(`/sessions/${session.id}`).expect(404);
      await a.get(`/jobs/${job.id}`).expect(404);
      const left = await a.sql(
        `SELECT
          (SELECT count(*) FROM $schema."sessions" WHERE "target_id" = $1) AS sessions,
          (SELECT count(*) FROM $schema."jobs" WHERE "target_id" = $1) AS jobs,
          (SELECT count(*) FROM $schema."job_logs" WHERE "job_id" = $2) AS logs`,
        [target.id, job.id],
      );
      expect(left[0]).toEqual({ sessions: '0', jobs: '0', logs: '0' });
      await a.get(`/jobs/${kept.id}`).expect(200);
      await a.delete(`/targets/${target.id}`).expect(404);
    });

    it('answers 409 while one of its jobs is running, and deletes once it is not', async () => {
      const c = await tenantClient(t);
      const target = await createTarget(c);
      const job = await createJob(c, target.id);
      const claimed = await claim(c, 'w1');
      expect(claimed!.id).toBe(job.id);
      const before = await c.counts();
      const res = await c.delete(`/targets/${target.id}`).expect(409);
      expect(res.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
      expect(await c.counts()).toEqual(before);

      // A lease that has expired is an abandoned attempt: it no longer blocks the delete.
      await c.sql(`UPDATE $schema."jobs" SET "lease_expires_at" = now() - interval '1 second' WHERE "id" = $1`, [
        job.id,
      ]);
      await c.delete(`/targets/${target.id}`).expect(204);
      expect(await c.counts()).toEqual({ targets: 0, sessions: 0, jobs: 0, job_logs: 0, schedules: 0 });
    });

    it('never deletes a job that a concurrent claim starts (delete and claim race)', async () => {
      for (let round = 0; round < 6; round += 1) {
        const c = await tenantClient(t);
        const target = await createTarget(c);
        await Promise.all(Array.from({ length: 5 }, () => createJob(c, target.id)));
        const [deleted, ...claims] = await Promise.all([
          c.delete(`/targets/${target.id}`),
          ...Array.from({ length: 3 }, (_, i) => c.post('/jobs/claim', { workerId: `w${i}` })),
        ]);
        const claimedIds = claims.filter((r) => r.status === 200).map((r) => r.body.id as string);
        if (deleted.status === 204) {
          // Every claim either finished before the delete looked (then it would have been a 409) or found nothing.
          expect(claimedIds).toEqual([]);
          expect(await c.count('jobs')).toBe(0);
        } else {
          expect(deleted.status).toBe(409);
          expect(claimedIds.length).toBeGreaterThan(0);
          for (const id of claimedIds) expect((await c.get(`/jobs/${id}`).expect(200)).body.status).toBe('running');
        }
      }
    });

    it('answers 400 for a malformed id', async () => {
      await a.delete('/targets/nope').expect(400);
    });
  });
});
