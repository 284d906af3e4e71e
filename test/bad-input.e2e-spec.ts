import { Logger } from '@nestjs/common';
import { claim, createJob, createTarget, MISSING_ID, TenantClient, tenantWithTarget } from './utils/domain-fixtures';
import { TEST_ADMIN_KEY, TestApp } from './utils/test-app';

/** Inputs that once got a 500 or were silently misread: each is now a 400 naming the field, or read exactly. */
describe('bad input', () => {
  let t: TestApp;
  let a: TenantClient;
  let targetId: string;

  beforeAll(async () => {
    ({ t, a, targetId } = await tenantWithTarget());
  });
  afterAll(async () => {
    await t?.close();
  });

  const json = (path: string, body: string) => a.post(path).set('Content-Type', 'application/json').send(body);

  describe('list cursors decoding to a date PostgreSQL cannot store', () => {
    const cursorOf = (createdAt: string) => Buffer.from(JSON.stringify([createdAt, MISSING_ID])).toString('base64url');
    const routes: Array<[string, () => TenantClient['get']]> = [
      ['/targets', () => a.get],
      ['/sessions', () => a.get],
      ['/jobs', () => a.get],
      ['/tenants', () => (path: string) => t.http().get(path).set('X-Admin-Key', TEST_ADMIN_KEY)],
    ];

    it.each(routes.flatMap(([path, get]) =>
      ['0000-01-01T00:00:00.000Z', '-271821-04-20T00:00:00.000Z', '+275760-09-13T00:00:00.000Z'].map((date) => [path, date, get] as const),
    ))('GET %s with a cursor of %s is 400 "cursor is invalid", and nothing is logged as an error', async (path, date, get) => {
      const errors = jest.spyOn(Logger.prototype, 'error');
      try {
        const res = await get()(`${path}?cursor=${cursorOf(date)}`);
        expect(res.status).toBe(400);
        expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'cursor is invalid', requestId: expect.any(String) });
        expect(errors).not.toHaveBeenCalled();
      } finally {
        errors.mockRestore();
      }
    });

    it('still follows a cursor of year 0001', async () => {
      await a.get(`/targets?cursor=${cursorOf('0001-01-01T00:00:00.000Z')}`).expect(200, { items: [], nextCursor: null });
    });
  });

  describe('timestamps (runAt, log timestamp)', () => {
    const RULE = 'must be an RFC 3339 date-time with an offset (Z or ±hh:mm) and a year 0001-9999 in UTC';

    it.each([
      ['year 10000 after conversion to UTC', '9999-12-31T23:00:00-01:00'],
      ['no offset (the server would read it in its own time zone)', '2030-01-01T00:00:00'],
      ['year 0 after conversion to UTC', '0001-01-01T00:30:00+01:00'],
      ['no seconds', '2030-01-01T00:00Z'],
    ])('refuse %s with a 400 naming the field, writing nothing', async (_case, value) => {
      const before = await a.counts();
      const job = await a.post('/jobs', { targetId, type: 'x', runAt: value });
      expect(job.status).toBe(400);
      expect(job.body.message).toEqual([`runAt ${RULE}`]);
      const existing = await createJob(a, targetId);
      const log = await a.post(`/jobs/${existing.id}/logs`, { entries: [{ level: 'info', message: 'm', timestamp: value }] });
      expect(log.status).toBe(400);
      expect(log.body.message).toEqual([`entries.0.timestamp ${RULE}`]);
      expect(await a.counts()).toEqual({ ...before, jobs: before.jobs + 1 });
    });

    it.each([
      ['years 0001-0099 as those years', '0050-03-01T12:00:00+01:00', '0050-03-01T11:00:00.000Z'],
      ['lowercase t and z', '2030-01-01t00:00:00.5z', '2030-01-01T00:00:00.500Z'],
      ['an offset, converted to UTC', '2030-01-01T05:30:00+05:30', '2030-01-01T00:00:00.000Z'],
      ['the last UTC instant of 9999', '9999-12-31T22:59:59.999-01:00', '9999-12-31T23:59:59.999Z'],
      ['microseconds, truncated to milliseconds', '2030-01-01T00:00:00.123456Z', '2030-01-01T00:00:00.123Z'],
    ])('accept %s as the instant they name', async (_case, value, instant) => {
      const job = await a.post('/jobs', { targetId, type: 'x', runAt: value }).expect(201);
      expect(job.body.runAt).toBe(instant);
      expect((await a.get(`/jobs/${job.body.id}`).expect(200)).body.runAt).toBe(instant);
      const [row] = await a.sql<{ utc: string }>(
        `SELECT to_char("run_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "utc" FROM $schema."jobs" WHERE "id" = $1`,
        [job.body.id],
      );
      expect(row.utc).toBe(instant);
      await a.post(`/jobs/${job.body.id}/logs`, { entries: [{ level: 'info', message: 'm', timestamp: value }] }).expect(201);
      expect((await a.get(`/jobs/${job.body.id}/logs`).expect(200)).body.items[0].timestamp).toBe(instant);
    });
  });

  describe('integers in query strings are plain decimal digits', () => {
    const lists = () => [`/targets`, `/sessions`, `/jobs`, `/jobs/${MISSING_ID}/logs`];

    it.each(['1e1', '0x10', '%2010', '10%20', '+10', '10.0', '1_0', '%EF%BC%91'])('limit=%s is 400 on every list', async (limit) => {
      for (const path of lists()) {
        const res = await a.get(`${path}?limit=${limit}`);
        expect({ path, status: res.status, message: res.body.message }).toEqual({
          path,
          status: 400,
          message: expect.arrayContaining(['limit must be an integer number']),
        });
      }
      const tenants = await t.http().get(`/tenants?limit=${limit}`).set('X-Admin-Key', TEST_ADMIN_KEY);
      expect(tenants.status).toBe(400);
    });

    it('limit=10 and limit=010 are 10', async () => {
      for (let i = 0; i < 11; i++) await createTarget(a);
      expect((await a.get('/targets?limit=10').expect(200)).body.items).toHaveLength(10);
      expect((await a.get('/targets?limit=010').expect(200)).body.items).toHaveLength(10);
    });

    it('after and cursor of job logs refuse the same forms', async () => {
      const job = await createJob(a, targetId);
      expect((await a.get(`/jobs/${job.id}/logs?after=1e1`)).status).toBe(400);
      expect((await a.get(`/jobs/${job.id}/logs?cursor=0x10`)).body.message).toEqual(expect.arrayContaining(['cursor is invalid']));
    });
  });

  describe('unpaired UTF-16 surrogates in text fields', () => {
    // JSON escapes, so the request body itself is valid UTF-8 JSON.
    const LONE = ['\\ud800', '\\udfff', 'a\\ud83db'];

    it.each(LONE)('are refused (%s) in every plain string field, naming it, and nothing is written', async (lone) => {
      const before = await a.counts();
      const job = await createJob(a, targetId);
      const cases: Array<[string, string, string]> = [
        ['/targets', `{"name":"n${lone}","address":"x"}`, 'name'],
        ['/targets', `{"name":"n","address":"x${lone}"}`, 'address'],
        ['/targets', `{"name":"n","address":"x","kind":"${lone}"}`, 'kind'],
        ['/targets', `{"name":"n","address":"x","tags":["${lone}"]}`, 'tags'],
        ['/jobs', `{"targetId":"${targetId}","type":"t${lone}"}`, 'type'],
        [`/jobs/${job.id}/logs`, `{"entries":[{"level":"info","message":"${lone}"}]}`, 'entries.0.message'],
        ['/jobs/claim', `{"workerId":"w${lone}"}`, 'workerId'],
      ];
      for (const [path, body, field] of cases) {
        const res = await json(path, body);
        expect({ path, status: res.status, message: res.body.message }).toEqual({
          path,
          status: 400,
          message: [`${field} must not contain unpaired surrogates`],
        });
      }
      const patch = await a.patch(`/targets/${targetId}`).set('Content-Type', 'application/json').send(`{"name":"${lone}"}`);
      expect(patch.body.message).toEqual(['name must not contain unpaired surrogates']);
      const tenant = await t.http().post('/tenants').set('X-Admin-Key', TEST_ADMIN_KEY).set('Content-Type', 'application/json').send(`{"name":"${lone}","slug":"lone-one"}`);
      expect(tenant.body.message).toEqual(['name must not contain unpaired surrogates']);
      expect(await a.counts()).toEqual({ ...before, jobs: before.jobs + 1 });
    });

    it('are refused in the error of a failed attempt', async () => {
      const type = `fail-${Date.now()}`;
      const job = await createJob(a, targetId, { type });
      expect((await claim(a, 'w', { types: [type] }))?.id).toBe(job.id);
      const res = await json(`/jobs/${job.id}/fail`, `{"workerId":"w","error":"e\\udc00"}`);
      expect(res.body.message).toEqual(['error must not contain unpaired surrogates']);
      expect((await a.get(`/jobs/${job.id}`).expect(200)).body.status).toBe('running');
    });

    it('so two different names can no longer collide as U+FFFD, and paired surrogates are text', async () => {
      expect((await json('/targets', '{"name":"x\\ud800","address":"a"}')).status).toBe(400);
      expect((await json('/targets', '{"name":"x\\udbff","address":"a"}')).status).toBe(400);
      const emoji = await json('/targets', '{"name":"x\\ud83d\\ude00","address":"a"}').expect(201);
      expect(emoji.body.name).toBe('x😀');
    });
  });

  describe('keys named constructor or prototype in free-form JSON', () => {
    const data = { constructor: 'Bob', prototype: { x: 1 }, nested: { constructor: { name: 'n' } } };

    it('are data: stored and echoed in metadata, payload, result and log data', async () => {
      const target = await a.post('/targets', { name: `proto-${Date.now()}`, address: 'x', metadata: data }).expect(201);
      expect(target.body.metadata).toEqual(data);
      expect((await a.get(`/targets/${target.body.id}`).expect(200)).body.metadata).toEqual(data);
      const [row] = await a.sql<{ metadata: unknown }>(`SELECT "metadata" FROM $schema."targets" WHERE "id" = $1`, [target.body.id]);
      expect(row.metadata).toEqual(data);

      const session = await a.post('/sessions', { targetId, metadata: data }).expect(201);
      expect(session.body.metadata).toEqual(data);
      const type = `proto-${Date.now()}`;
      const job = await a.post('/jobs', { targetId, type, payload: data }).expect(201);
      expect(job.body.payload).toEqual(data);
      await claim(a, 'w', { types: [type] });
      const done = await a.post(`/jobs/${job.body.id}/complete`, { workerId: 'w', result: data }).expect(200);
      expect(done.body.result).toEqual(data);
      await a.post(`/jobs/${job.body.id}/logs`, { entries: [{ level: 'info', message: 'm', data }] }).expect(201);
      const logs = (await a.get(`/jobs/${job.body.id}/logs`).expect(200)).body.items;
      expect(logs[logs.length - 1].data).toEqual(data);
    });

    it.each([
      ['__proto__', '{"__proto__":{"isAdmin":true}}', 'property __proto__ should not exist'],
      ['constructor.prototype', '{"constructor":{"prototype":{"isAdmin":true}}}', 'property constructor.prototype should not exist'],
    ])('are refused where they could pollute a prototype (%s), and nothing is written', async (_case, metadata, message) => {
      const before = await a.counts();
      const res = await json('/targets', `{"name":"p","address":"x","metadata":${metadata}}`);
      expect(res.status).toBe(400);
      expect(res.body.message).toBe(message);
      expect(await a.counts()).toEqual(before);
    });

    it('are unknown fields where a DTO is: in a log entry, and in a query', async () => {
      const job = await createJob(a, targetId);
      const res = await json(`/jobs/${job.id}/logs`, '{"entries":[{"level":"info","message":"m","constructor":"x"}]}');
      expect(res.body.message).toEqual(['property entries.0.constructor should not exist']);
      expect((await a.get('/targets?constructor=x')).body.message).toEqual(['property constructor should not exist']);
      expect((await a.get('/targets?__proto__=x')).body.message).toEqual(['property __proto__ should not exist']);
    });
  });
});
