import { claim, createJob, createSession, createTarget, TenantClient, tenantWithTarget } from './utils/domain-fixtures';
import { TEST_ADMIN_KEY, TestApp } from './utils/test-app';

/** Routes that take no body once ignored the fields sent to them: each is now an unknown field (API.md), refused. */
describe('routes without a body', () => {
  let t: TestApp;
  let a: TenantClient;
  let targetId: string;

  beforeAll(async () => {
    ({ t, a, targetId } = await tenantWithTarget());
  });
  afterAll(async () => {
    await t?.close();
  });

  it('POST /jobs/{id}/cancel with a field is a 400 naming it, and the job stays queued', async () => {
    const job = await createJob(a, targetId);
    const res = await a.post(`/jobs/${job.id}/cancel`, { force: true, reason: 'x' }).expect(400);
    expect(res.body.message).toEqual(['property force should not exist', 'property reason should not exist']);
    expect((await a.get(`/jobs/${job.id}`).expect(200)).body.status).toBe('queued');
    await a.post(`/jobs/${job.id}/cancel`, {}).expect(200);
  });

  it('POST /jobs/{id}/retry with a field is a 400, and the job stays failed', async () => {
    const type = `bodyless-${Date.now()}`;
    const job = await createJob(a, targetId, { type, maxAttempts: 1 });
    expect((await claim(a, 'w', { types: [type] }))?.id).toBe(job.id);
    await a.post(`/jobs/${job.id}/fail`, { workerId: 'w', error: 'e' }).expect(200);
    const res = await a.post(`/jobs/${job.id}/retry`, { resetAttempts: false }).expect(400);
    expect(res.body.message).toEqual(['property resetAttempts should not exist']);
    expect((await a.get(`/jobs/${job.id}`).expect(200)).body).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('POST /sessions/{id}/close and DELETE /targets/{id} alike, writing nothing', async () => {
    const target = await createTarget(a);
    const session = await createSession(a, target.id);
    expect((await a.post(`/sessions/${session.id}/close`, { expire: true }).expect(400)).body.message).toEqual(['property expire should not exist']);
    expect((await a.get(`/sessions/${session.id}`).expect(200)).body.status).toBe('active');
    expect((await a.delete(`/targets/${target.id}`).send({ cascade: false }).expect(400)).body.message).toEqual(['property cascade should not exist']);
    await a.get(`/targets/${target.id}`).expect(200);
  });

  it('POST /tenants/{id}/regenerate-api-key with a field is a 400, and the key keeps working', async () => {
    const res = await t.http().post(`/tenants/${a.id}/regenerate-api-key`).set('X-Admin-Key', TEST_ADMIN_KEY).send({ keepOld: true }).expect(400);
    expect(res.body.message).toEqual(['property keepOld should not exist']);
    await a.get('/tenant-info').expect(200);
  });

  it('the key is checked first: without one it is a 401', async () => {
    const job = await createJob(a, targetId);
    await t.http().post(`/jobs/${job.id}/cancel`).send({ force: true }).expect(401);
  });
});
