import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { claim, createJob, expectRefused, sendJsonText, TenantClient, tenantWithTarget } from './utils/domain-fixtures';
import { TEST_ADMIN_KEY, TestApp } from './utils/test-app';

/**
 * Bodies whose shape or bytes were once a 500 or silently changed: items that are not objects, a progress that is
 * an array, numbers beyond a double, bytes that are not UTF-8, a body that is not an object, ids in capitals.
 */
describe('bad input: shapes, numbers and bytes', () => {
  let t: TestApp;
  let a: TenantClient;
  let targetId: string;

  beforeAll(async () => {
    ({ t, a, targetId } = await tenantWithTarget());
  });
  afterAll(async () => {
    await t?.close();
  });

  const json = (path: string, body: string | Buffer) => sendJsonText(a, 'post', path, body);
  const refused = (send: () => Promise<{ status: number; body: { message: unknown } }>, message: unknown) => expectRefused(a, send, message);

  describe('items of a batch that are not objects', () => {
    it.each([
      ['an empty array', '[]', ['jobs.1 must be an object']],
      ['an array of a job', 'JOB_ARRAY', ['jobs.1 must be an object']],
      ['null', 'null', ['jobs.1 must be an object']],
      ['a string', '"x"', ['jobs.1 must be an object']],
    ])('POST /jobs/batch with %s as item 1 is a 400 naming it', async (_case, item, message) => {
      const job = JSON.stringify({ targetId, type: 'shape' });
      const body = `{"jobs":[${job},${item === 'JOB_ARRAY' ? `[${job}]` : item}]}`;
      await refused(() => json('/jobs/batch', body), message);
    });

    it('names every such item, beside the other problems of the batch', async () => {
      const body = JSON.stringify({ jobs: [null, { targetId, type: '' }, [], 7] });
      await refused(() => json('/jobs/batch', body), [
        'jobs.0, jobs.2, jobs.3 must be objects',
        'jobs.1.type must be longer than or equal to 1 characters',
      ]);
    });

    it('POST /jobs/{id}/logs and POST /jobs/complete-batch alike', async () => {
      const job = await createJob(a, targetId);
      await refused(() => json(`/jobs/${job.id}/logs`, '{"entries":[{"level":"info","message":"m"},[]]}'), ['entries.1 must be an object']);
      await refused(() => json(`/jobs/${job.id}/logs`, '{"entries":[[{"level":"info","message":"m"}]]}'), ['entries.0 must be an object']);
      await refused(() => json(`/jobs/${job.id}/logs`, '{"entries":[null]}'), ['entries.0 must be an object']);
      await refused(() => json('/jobs/complete-batch', '{"workerId":"w","items":[[]]}'), ['items.0 must be an object']);
      await refused(() => json('/jobs/complete-batch', `{"workerId":"w","items":[{"id":"${job.id}"},"${job.id}"]}`), ['items.1 must be an object']);
    });

    it('an item without a required field is told so, by its index', async () => {
      const jobs = [0, 1, 2].map((i) => ({ targetId, type: `t${i}` }));
      await refused(() => json('/jobs/batch', JSON.stringify({ jobs: [...jobs, { targetId }] })), ['jobs.3.type is required']);
      await refused(() => json('/jobs/batch', '{}'), ['jobs is required']);
    });

    it('a list that is not an array is told so, once', async () => {
      await refused(() => json('/jobs/batch', '{"jobs":null}'), ['jobs must be an array']);
      await refused(() => json('/jobs/batch', '{"jobs":{"targetId":"x"}}'), ['jobs must be an array']);
    });
  });

  describe('a value of the wrong type is told its type, not a range it has no part in', () => {
    it.each([
      ['a limit sent as a string', '/jobs/claim', '{"workerId":"w","limit":"5"}', ['limit must be an integer number']],
      ['a lease sent as null', '/jobs/claim', '{"workerId":"w","leaseSeconds":null}', ['leaseSeconds must be an integer number']],
      ['a workerId sent as a number', '/jobs/claim', '{"workerId":7}', ['workerId must be a string']],
      ['types sent as a string', '/jobs/claim', '{"workerId":"w","types":"backup"}', ['types must be an array']],
    ])('%s', async (_case, path, body, message) => {
      await refused(() => json(path, body), message);
    });

    it('in a query too: after=-1 is not an integer, nor "greater than 2147483647"', async () => {
      const job = await createJob(a, targetId);
      const res = await a.get(`/jobs/${job.id}/logs?after=-1&limit=abc`).expect(400);
      expect(res.body.message).toEqual(['after must be an integer from 0 to 2147483647', 'limit must be an integer number']);
    });

    it('while each item of a list keeps its own problems, and a range is said of an integer', async () => {
      await refused(() => json('/jobs/claim', `{"workerId":"w","types":[1,"${'t'.repeat(101)}"]}`), [
        'each value in types must be a string',
        'each value in types must be longer than or equal to 1 and shorter than or equal to 100 characters',
        'types must not contain NUL characters',
      ]);
      await refused(() => json('/jobs/claim', '{"workerId":"w","limit":0}'), ['limit must not be less than 1']);
    });
  });

  describe('heartbeat progress', () => {
    it.each([
      ['an array of a progress', '[{"percent":40}]'],
      ['an empty array', '[]'],
      ['null', 'null'],
      ['a number', '40'],
    ])('%s is a 400 "progress must be an object", and the job keeps its progress', async (_case, progress) => {
      const type = `progress-${Date.now()}-${Math.random()}`;
      const job = await createJob(a, targetId, { type });
      expect((await claim(a, 'w', { types: [type] }))?.id).toBe(job.id);
      await refused(() => json(`/jobs/${job.id}/heartbeat`, `{"workerId":"w","progress":${progress}}`), ['progress must be an object']);
      expect((await a.get(`/jobs/${job.id}`).expect(200)).body.progress).toBeNull();
    });
  });

  describe('numbers beyond a double (JSON.parse makes them Infinity, stored as null)', () => {
    it.each([
      ['a job payload', '/jobs', () => `{"targetId":"${targetId}","type":"x","payload":{"a":{"n":1e400}}}`, 'payload.a.n'],
      ['a batch item payload', '/jobs/batch', () => `{"jobs":[{"targetId":"${targetId}","type":"x","payload":{"list":[1,-1e999]}}]}`, 'jobs.0.payload.list.1'],
      ['a priority', '/jobs', () => `{"targetId":"${targetId}","type":"x","priority":-1e400}`, 'priority'],
      ['target metadata', '/targets', () => '{"name":"inf","address":"x","metadata":{"n":1e309}}', 'metadata.n'],
      ['a schedule job payload', '/schedules', () => `{"name":"s","cron":"0 9 * * 1","job":{"targetId":"${targetId}","type":"x","payload":{"n":1e400}}}`, 'job.payload.n'],
    ])('in %s are a 400 naming the field', async (_case, path, body, field) => {
      await refused(() => json(path, body()), `${field} is too large a number (beyond ±1.8e308)`);
    });

    it('in a result and in log data too, and the largest double is kept', async () => {
      const type = `inf-${Date.now()}`;
      const job = await createJob(a, targetId, { type });
      expect((await claim(a, 'w', { types: [type] }))?.id).toBe(job.id);
      await refused(() => json(`/jobs/${job.id}/complete`, '{"workerId":"w","result":{"n":1e400}}'), 'result.n is too large a number (beyond ±1.8e308)');
      await refused(
        () => json(`/jobs/${job.id}/logs`, '{"entries":[{"level":"info","message":"m","data":{"n":-1e400}}]}'),
        'entries.0.data.n is too large a number (beyond ±1.8e308)',
      );
      const done = await json(`/jobs/${job.id}/complete`, '{"workerId":"w","result":{"n":1.7976931348623157e308}}').expect(200);
      expect(done.body.result).toEqual({ n: Number.MAX_VALUE });
    });
  });

  describe('bodies that are not UTF-8 (they were decoded to U+FFFD and stored so)', () => {
    it('are a 400 "Request body is not valid UTF-8", and nothing is written', async () => {
      const invalid = Buffer.concat([Buffer.from('{"name":"bad'), Buffer.from([0xff, 0xfe]), Buffer.from('","address":"x"}')]);
      await refused(() => json('/targets', invalid), 'Request body is not valid UTF-8');
      const overlong = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('","address":"x"}')]);
      await refused(() => json('/targets', overlong), 'Request body is not valid UTF-8');
    });

    it('while UTF-8 text, a byte order mark included, is read as sent', async () => {
      const name = `ünïcödé-😀-${Date.now()}`;
      const res = await json('/targets', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ name, address: 'x' }))])).expect(201);
      expect(res.body.name).toBe(name);
    });
  });

  describe('a body that is not a JSON object', () => {
    it.each([
      ['an array', '[{"name":"n","address":"x"}]'],
      ['an empty array', '[]'],
      ['a string', '"name"'],
      ['a number', '42'],
      ['null', 'null'],
      ['true', ' true '],
    ])('%s is a 400 "Request body must be a JSON object"', async (_case, body) => {
      await refused(() => json('/targets', body), 'Request body must be a JSON object');
      await refused(() => a.patch(`/targets/${targetId}`).set('Content-Type', 'application/json').send(body), 'Request body must be a JSON object');
    });

    it('while text that is not JSON stays "not valid JSON"', async () => {
      await refused(() => json('/targets', '{"name":'), 'Request body is not valid JSON');
      await refused(() => json('/targets', 'nul'), 'Request body is not valid JSON');
    });
  });

  describe('a body that is not sent as JSON (it was left unread, and every field listed as missing)', () => {
    const body = () => JSON.stringify({ name: `typed-${Date.now()}`, address: 'x' });
    const typed = (type: string) => a.post('/targets').set('Content-Type', type).send(body());

    it.each([
      ['text/plain', 'text/plain;charset=UTF-8', 'Request body must be application/json, not text/plain'],
      ['a form', 'application/x-www-form-urlencoded', 'Request body must be application/json, not application/x-www-form-urlencoded'],
      ['a JSON flavour the server does not read', 'application/merge-patch+json', 'Request body must be application/json, not application/merge-patch+json'],
    ])('%s is a 415 naming it, and nothing is written', async (_case, type, message) => {
      const before = await a.counts();
      const res = await typed(type);
      expect({ status: res.status, body: res.body }).toEqual({
        status: 415,
        body: { statusCode: 415, error: 'Unsupported Media Type', message, requestId: expect.any(String) },
      });
      expect(await a.counts()).toEqual(before);
    });

    it('a body without a Content-Type is a 415 too (sent raw: superagent always names one)', async () => {
      const before = await a.counts();
      const server = t.app.getHttpServer() as Server;
      if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/targets`, { method: 'POST', headers: { 'X-API-Key': a.apiKey }, body: new Blob([body()]) });
      expect([res.status, ((await res.json()) as { message: unknown }).message]).toEqual([415, 'Request body must be application/json, not a body without a Content-Type']);
      expect(await a.counts()).toEqual(before);
    });

    it('a charset or a Content-Encoding the server cannot read is a 415 too', async () => {
      const latin1 = await typed('application/json; charset=latin1');
      expect([latin1.status, latin1.body.message]).toEqual([415, 'Request body must be UTF-8 JSON (charset=utf-8)']);
      // Other `utf-` charsets were read and stored (the UTF-8 checks of the body skipped).
      const before = await a.counts();
      for (const [charset, bytes] of [['utf-16le', Buffer.from(body(), 'utf16le')], ['UTF-16', Buffer.from(body(), 'utf16le')], ['utf-7', Buffer.from(body())]] as const) {
        const other = await a.post('/targets').set('Content-Type', `application/json; charset=${charset}`).serialize((raw: unknown) => raw as string).send(bytes);
        expect([charset, other.status, other.body.message]).toEqual([charset, 415, 'Request body must be UTF-8 JSON (charset=utf-8)']);
      }
      expect(await a.counts()).toEqual(before);
      const encoded = await a.post('/targets').set('Content-Type', 'application/json').set('Content-Encoding', 'x-bogus').send(body());
      expect([encoded.status, encoded.body.message]).toEqual([415, 'Request body has a Content-Encoding the server does not read (gzip, deflate or br)']);
    });

    it('while JSON in any letter case and with charset=utf-8 is read, and a route without a body ignores one', async () => {
      await typed('Application/JSON; charset=utf-8').expect(201);
      const session = await a.post('/sessions', { targetId }).expect(201);
      await a.post(`/sessions/${session.body.id}/close`).set('Content-Type', 'text/plain').send('bye').expect(200);
    });
  });

  describe('operator bodies', () => {
    const admin = (path: string, body: string) => t.http().post(path).set('X-Admin-Key', TEST_ADMIN_KEY).set('Content-Type', 'application/json').send(body);

    it('a cloneFrom with a NUL or an unpaired surrogate is a 400 naming it, and no tenant is made', async () => {
      const tenants = async () => Number((await t.db.query('SELECT count(*) AS n FROM "shared"."tenants"'))[0].n);
      const before = await tenants();
      const nul = await admin('/tenants', `{"name":"n","slug":"clone-nul","cloneFrom":"${a.id}\\u0000"}`);
      expect([nul.status, nul.body.message]).toEqual([400, ['cloneFrom must not contain NUL characters']]);
      const lone = await admin('/tenants', '{"name":"n","slug":"clone-lone","cloneFrom":"x\\ud800"}');
      expect([lone.status, lone.body.message]).toEqual([400, ['cloneFrom must not contain unpaired surrogates']]);
      expect(await tenants()).toBe(before);
    });

    it('a required field left out is told it is required, one sent as null its type', async () => {
      const missing = await admin('/tenants', '{"name":"x"}');
      expect([missing.status, missing.body.message]).toEqual([400, ['slug is required']]);
      const nulled = await admin('/tenants', '{"name":"x","slug":null}');
      expect([nulled.status, nulled.body.message]).toEqual([400, ['slug must be a string']]);
    });

    it('scopes that are not an array say so', async () => {
      const res = await admin(`/tenants/${a.id}/keys`, '{"name":"one-scope","scopes":"read"}');
      expect(res.status).toBe(400);
      expect(res.body.message).toContain('scopes must be an array');
    });
  });

  it('a time zone in other letters is stored and shown as IANA names it', async () => {
    const schedule = await a.post('/schedules', { name: 'zone', cron: '0 9 * * 1', timezone: 'europe/paris', job: { targetId, type: 'z' } }).expect(201);
    expect(schedule.body.timezone).toBe('Europe/Paris');
    const patched = await a.patch(`/schedules/${schedule.body.id}`, { timezone: 'AMERICA/NEW_YORK' }).expect(200);
    expect(patched.body.timezone).toBe('America/New_York');
    const [row] = await a.sql<{ timezone: string }>(`SELECT "timezone" FROM $schema."schedules" WHERE "id" = $1`, [schedule.body.id]);
    expect(row.timezone).toBe('America/New_York');
  });

  describe('ids sent in capitals', () => {
    it('are answered in lowercase, as every read shows them', async () => {
      const upper = targetId.toUpperCase();
      const session = await a.post('/sessions', { targetId: upper }).expect(201);
      expect(session.body.targetId).toBe(targetId);
      const job = await a.post('/jobs', { targetId: upper, sessionId: session.body.id.toUpperCase(), type: 'caps' }).expect(201);
      expect([job.body.targetId, job.body.sessionId]).toEqual([targetId, session.body.id]);
      const batch = await a.post('/jobs/batch', { jobs: [{ targetId: upper, type: 'caps' }] }).expect(201);
      expect(batch.body.items[0].targetId).toBe(targetId);
      const schedule = await a.post('/schedules', { name: 'caps', cron: '0 9 * * 1', job: { targetId: upper, type: 'caps' } }).expect(201);
      expect(schedule.body.job.targetId).toBe(targetId);
    });

    it('an idempotent retry spelt in capitals is the same request', async () => {
      const key = `caps-${Date.now()}`;
      const first = await a.post('/jobs', { targetId, type: 'caps-retry' }).set('Idempotency-Key', key).expect(201);
      const again = await a.post('/jobs', { targetId: targetId.toUpperCase(), type: 'caps-retry' }).set('Idempotency-Key', key).expect(200);
      expect(again.body.id).toBe(first.body.id);
    });

    it('complete-batch answers each id as stored', async () => {
      const type = `caps-done-${Date.now()}`;
      const job = await createJob(a, targetId, { type });
      expect((await claim(a, 'w', { types: [type] }))?.id).toBe(job.id);
      const res = await a.post('/jobs/complete-batch', { workerId: 'w', items: [{ id: job.id.toUpperCase() }] }).expect(200);
      expect(res.body.items).toEqual([{ id: job.id, status: 'succeeded' }]);
    });
  });
});
