import { claim, createJob, expectRefused, sendJsonText, tenantSuite } from './utils/domain-fixtures';

const BIG = '12345678901234567890';
const inexact = (path: string, written: string) =>
  `${path}: ${written} cannot be stored exactly (beyond ±9007199254740991 a number keeps only a double's digits); send it as a string`;

/**
 * Integers beyond ±(2^53−1) that a double does not hold as written were accepted and stored changed
 * (`12345678901234567890` as `12345678901234567000`), in every free-form JSON field and number field.
 */
describe('bad input: integers a double cannot hold', () => {
  const suite = tenantSuite();

  const send = (method: 'post' | 'patch', path: string, body: string) => sendJsonText(suite.a, method, path, body);
  const refused = (request: () => Promise<{ status: number; body: { message: unknown } }>, message: string) => expectRefused(suite.a, request, message);

  it.each([
    ['a job payload', '/jobs', () => `{"targetId":"${suite.targetId}","type":"x","payload":{"n":${BIG}}}`, inexact('payload.n', BIG)],
    ['a priority', '/jobs', () => `{"targetId":"${suite.targetId}","type":"x","priority":-98765432109876543210}`, inexact('priority', '-98765432109876543210')],
    ['target metadata', '/targets', () => `{"name":"big","address":"x","metadata":{"a":[1,1.2345678901234567891e19]}}`, inexact('metadata.a.1', '1.2345678901234567891e19')],
    ['session metadata', '/sessions', () => `{"targetId":"${suite.targetId}","metadata":{"n":${BIG}}}`, inexact('metadata.n', BIG)],
    ['a schedule job payload', '/schedules', () => `{"name":"s","cron":"0 9 * * 1","job":{"targetId":"${suite.targetId}","type":"x","payload":{"n":${BIG}}}}`, inexact('job.payload.n', BIG)],
  ])('in %s are a 400 naming the field, and nothing is written', async (_case, path, body, message) => {
    await refused(() => send('post', path, body()), message);
  });

  it('one bad item of a batch creates no job of it', async () => {
    const item = (payload: string) => `{"targetId":"${suite.targetId}","type":"big-batch","payload":${payload}}`;
    const body = `{"jobs":[${item('{"n":1}')},${item('{"s":"12345678901234567890"}')},${item(`{"deep":{"list":[${BIG}]}}`)}]}`;
    await refused(() => send('post', '/jobs/batch', body), inexact('jobs.2.payload.deep.list.0', BIG));
    expect(await suite.a.sql(`SELECT 1 FROM $schema."jobs" WHERE "type" = 'big-batch'`)).toEqual([]);
  });

  it('in a result, log data and a metadata update too, which leave the job and session as they were', async () => {
    const type = `big-${Date.now()}`;
    const job = await createJob(suite.a, suite.targetId, { type });
    expect((await claim(suite.a, 'w', { types: [type] }))?.id).toBe(job.id);
    await refused(() => send('post', `/jobs/${job.id}/complete`, `{"workerId":"w","result":{"n":${BIG}}}`), inexact('result.n', BIG));
    await refused(() => send('post', `/jobs/${job.id}/logs`, `{"entries":[{"level":"info","message":"m","data":{"n":${BIG}}}]}`), inexact('entries.0.data.n', BIG));
    expect((await suite.a.get(`/jobs/${job.id}`).expect(200)).body).toMatchObject({ status: 'running', result: null });
    const session = (await suite.a.post('/sessions', { targetId: suite.targetId, metadata: { n: 1 } }).expect(201)).body;
    await refused(() => send('patch', `/sessions/${session.id}`, `{"metadata":{"n":${BIG}}}`), inexact('metadata.n', BIG));
    expect((await suite.a.get(`/sessions/${session.id}`).expect(200)).body.metadata).toEqual({ n: 1 });
  });

  it('while numbers a double holds as written, and ordinary fractions, are stored as sent', async () => {
    const payload = '{"mole":6.02e23,"huge":1e300,"two53":9007199254740992,"half":1.5,"fraction":0.12345678901234567890,"text":"12345678901234567890"}';
    const res = await send('post', '/jobs', `{"targetId":"${suite.targetId}","type":"exact","payload":${payload}}`).expect(201);
    const expected = { mole: 6.02e23, huge: 1e300, two53: 9007199254740992, half: 1.5, fraction: 0.12345678901234568, text: BIG };
    expect((await suite.a.get(`/jobs/${res.body.id}`).expect(200)).body.payload).toEqual(expected);
    const [row] = await suite.a.sql<{ two53: string; mole: string }>(
      `SELECT "payload"->>'two53' AS two53, "payload"->>'mole' AS mole FROM $schema."jobs" WHERE "id" = $1`,
      [res.body.id],
    );
    expect(row).toEqual({ two53: '9007199254740992', mole: '602000000000000000000000' });
  });

  it('query strings and path params keep their own rules (typed, with ranges)', async () => {
    const list = await suite.a.get(`/jobs?limit=${BIG}`);
    expect({ status: list.status, message: list.body.message }).toEqual({ status: 400, message: ['limit must be an integer number'] });
    const logs = await suite.a.get(`/jobs/${(await createJob(suite.a, suite.targetId)).id}/logs?after=${BIG}`);
    expect({ status: logs.status, message: logs.body.message }).toEqual({ status: 400, message: ['after must be an integer from 0 to 2147483647'] });
    const job = await suite.a.get(`/jobs/${BIG}`);
    expect({ status: job.status, message: job.body.message }).toEqual({ status: 400, message: 'id must be a UUID' });
  });
});
