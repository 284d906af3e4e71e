import { claim, createJob, expectRefused, tenantSuite } from './utils/domain-fixtures';
import { decodeArchive, encodeArchive, exportArchive, importArchive, leftovers } from './utils/archive';
import { TEST_ADMIN_KEY, uniqueSlug } from './utils/test-app';

/**
 * Names are one line of display text (README, input rules): a control character in one is a 400 naming the field,
 * on every route that takes a name, while free text and JSON keep theirs.
 */
describe('bad input: control characters in names', () => {
  const suite = tenantSuite();
  const REFUSED = ['name must not contain control characters'];
  const CASES: Array<[string, string]> = [
    ['a newline that forges a line', 'Acme\nid: forged'],
    ['an ESC sequence', 'Evil\u001b]0;pwned\u0007'],
    ['DEL', 'a\u007fb'],
    ['the 8-bit CSI (C1)', 'a\u009b31m'],
  ];
  const HOSTILE = CASES.map(([, name]) => name);

  const admin = (method: 'post' | 'put', path: string) => suite.t.http()[method](path).set('X-Admin-Key', TEST_ADMIN_KEY);
  const tenantRow = async (id: string) => (await suite.t.db.query(`SELECT * FROM "shared"."tenants" WHERE "id" = $1`, [id]))[0];

  it.each(CASES)('a tenant name with %s is refused on create and rename, and nothing changes', async (_case, name) => {
    const slug = uniqueSlug('ctl');
    const created = await admin('post', '/tenants').send({ name, slug });
    expect([created.status, created.body.message]).toEqual([400, REFUSED]);
    expect(await leftovers(suite.t, slug)).toEqual([]);
    const before = await tenantRow(suite.a.id);
    const renamed = await admin('put', `/tenants/${suite.a.id}`).send({ name });
    expect([renamed.status, renamed.body.message]).toEqual([400, REFUSED]);
    expect(await tenantRow(suite.a.id)).toEqual(before);
  });

  it('an API key name too', async () => {
    const keys = async () => (await suite.t.db.query(`SELECT count(*)::int AS n FROM "shared"."api_keys" WHERE "tenant_id" = $1`, [suite.a.id]))[0].n;
    const before = await keys();
    for (const name of HOSTILE) {
      const res = await admin('post', `/tenants/${suite.a.id}/keys`).send({ name });
      expect([name, res.status, res.body.message]).toEqual([name, 400, REFUSED]);
    }
    expect(await keys()).toBe(before);
  });

  it('target and schedule names on create and update, beside the other problems of the body', async () => {
    const { a, targetId } = suite;
    const schedule = (await a.post('/schedules', { name: 'ctl', cron: '0 9 * * 1', job: { targetId, type: 'x' } }).expect(201)).body;
    for (const name of HOSTILE) {
      await expectRefused(a, () => a.post('/targets', { name, address: 'x' }), REFUSED);
      await expectRefused(a, () => a.patch(`/targets/${targetId}`, { name }), REFUSED);
      await expectRefused(a, () => a.post('/schedules', { name, cron: '0 9 * * 1', job: { targetId, type: 'x' } }), REFUSED);
      await expectRefused(a, () => a.patch(`/schedules/${schedule.id}`, { name }), REFUSED);
    }
    await expectRefused(a, () => a.post('/targets', { name: 'a\nb', address: '' }), [...REFUSED, 'address must be longer than or equal to 1 characters']);
    // What is not a control character is kept, and surrounding whitespace trimmed as before.
    const target = (await a.post('/targets', { name: ' café ☕ 😀\u00a0שלום\n', address: 'x' }).expect(201)).body;
    expect(target.name).toBe('café ☕ 😀\u00a0שלום');
  });

  it('an import named in its query, and an archive whose own tenant name has one', async () => {
    const archive = decodeArchive((await exportArchive(suite.t, suite.a.id)).body);
    const slug = uniqueSlug('ctl-import');
    const named = await importArchive(suite.t, encodeArchive(archive), { slug, name: 'Acme\u001b[2K' });
    expect([named.status, named.body.message]).toEqual([400, REFUSED]);
    archive.header.tenant.name = 'Acme\nforged';
    const carried = await importArchive(suite.t, encodeArchive(archive), { slug });
    expect(carried.status).toBe(400);
    expect(carried.body.message).toMatch(/the tenant name it carries is not a valid name \(name must not contain control characters\)/);
    expect(await leftovers(suite.t, slug)).toEqual([]);
  });

  it('a bidirectional override or isolate in a name is refused too (it would show the name as another)', async () => {
    const { a, targetId } = suite;
    const problem = ['name must not contain bidirectional control characters'];
    const slug = uniqueSlug('bidi');
    const created = await admin('post', '/tenants').send({ name: 'Acme\u202eexe.txt', slug });
    expect([created.status, created.body.message]).toEqual([400, problem]);
    expect(await leftovers(suite.t, slug)).toEqual([]);
    const key = await admin('post', `/tenants/${suite.a.id}/keys`).send({ name: 'ci\u2066x\u2069' });
    expect([key.status, key.body.message]).toEqual([400, problem]);
    await expectRefused(a, () => a.post('/targets', { name: 'edge\u202d-1', address: 'x' }), problem);
    await expectRefused(a, () => a.post('/schedules', { name: '\u2067nightly', cron: '0 9 * * 1', job: { targetId, type: 'x' } }), problem);
    // The bidirectional marks stay: right-to-left names use them.
    expect((await a.post('/targets', { name: 'שלום\u200f 1', address: 'x' }).expect(201)).body.name).toBe('שלום\u200f 1');
  });

  it('job types, worker ids, target kinds and tags refuse control and bidirectional characters, naming the field', async () => {
    const { a, targetId } = suite;
    const CONTROL = 'must not contain control characters';
    const BIDI = 'must not contain bidirectional control characters';
    await expectRefused(a, () => a.post('/jobs', { targetId, type: 'backup\nforged' }), [`type ${CONTROL}`]);
    await expectRefused(a, () => a.post('/jobs/batch', { jobs: [{ targetId, type: 'ok' }, { targetId, type: 'a\u202eb' }] }), [`jobs.1.type ${BIDI}`]);
    await expectRefused(a, () => a.post('/schedules', { name: 'labels', cron: '0 9 * * 1', job: { targetId, type: 'x\u001b[2K' } }), [`job.type ${CONTROL}`]);
    await expectRefused(a, () => a.post('/targets', { name: 'labels', address: 'x', kind: 'router\r', tags: ['eu', 'prod\u2066'] }), [`kind ${CONTROL}`, `tags ${BIDI}`]);
    await expectRefused(a, () => a.patch(`/targets/${targetId}`, { kind: 'a\u0085', tags: ['a\tb'] }), [`kind ${CONTROL}`, `tags ${CONTROL}`]);
    const job = await createJob(a, targetId, { type: `labels-${Date.now()}` });
    for (const body of [{ workerId: 'w\n1' }, { workerId: 'w', types: [job.type, 'x\u007f'] }]) {
      const res = await a.post('/jobs/claim', body);
      expect([res.status, res.body.message]).toEqual([400, [`${'types' in body ? 'types' : 'workerId'} ${CONTROL}`]]);
    }
    expect((await a.get(`/jobs/${job.id}`).expect(200)).body.status).toBe('queued');
    expect((await claim(a, 'w\u200e1', { types: [job.type] }))?.id).toBe(job.id);
    const completed = await a.post('/jobs/complete-batch', { workerId: 'w\u202e1', items: [{ id: job.id }] });
    expect([completed.status, completed.body.message]).toEqual([400, [`workerId ${BIDI}`]]);
    expect((await a.get(`/jobs/${job.id}`).expect(200)).body.status).toBe('running');
  });

  it('text refused as a name is kept where it is free text or JSON (a job error, log and progress messages, payloads)', async () => {
    const { a, targetId } = suite;
    const text = 'line 1\nline 2\t\u001b[31mred\u001b[0m';
    await expectRefused(a, () => a.post('/targets', { name: text, address: 'x' }), REFUSED);
    const type = `ctl-${Date.now()}`;
    const job = await createJob(a, targetId, { type, payload: { text } });
    expect((await claim(a, 'w', { types: [type] }))?.id).toBe(job.id);
    await a.post(`/jobs/${job.id}/heartbeat`, { workerId: 'w', progress: { percent: 1, message: text } }).expect(200);
    await a.post(`/jobs/${job.id}/logs`, { entries: [{ level: 'info', message: text }] }).expect(201);
    await a.post(`/jobs/${job.id}/fail`, { workerId: 'w', error: text, retryable: false }).expect(200);
    const stored = (await a.get(`/jobs/${job.id}`).expect(200)).body;
    expect([stored.payload.text, stored.progress.message, stored.error]).toEqual([text, text, text]);
    expect((await a.get(`/jobs/${job.id}/logs`).expect(200)).body.items.map((e: { message: string }) => e.message)).toContain(text);
  });
});
