import { createTarget, TenantClient, tenantClient } from './utils/domain-fixtures';
import { createTestApp, TEST_ADMIN_KEY, TestApp } from './utils/test-app';

/** Percent-encoded bytes that are not UTF-8 were decoded to U+FFFD (a tenant named "���"), a lone `%` kept as text. */
describe('bad input: query strings', () => {
  let t: TestApp;
  let a: TenantClient;

  beforeAll(async () => {
    t = await createTestApp();
    a = await tenantClient(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  const REFUSED = { statusCode: 400, error: 'Bad Request', message: 'Query string is not valid percent-encoded UTF-8', requestId: expect.any(String) };

  it.each([
    ['an encoded lone surrogate', 'kind=%ED%A0%80'],
    ['a byte that is never UTF-8', 'tag=%FF'],
    ['a truncated sequence', 'tag=caf%C3'],
    ['a lone percent sign', 'tag=100%'],
    ['an escape without hex digits', 'kind=%zz'],
  ])('%s is a 400', async (_case, query) => {
    const res = await a.get(`/targets?${query}`);
    expect({ status: res.status, body: res.body }).toEqual({ status: 400, body: REFUSED });
  });

  it('in an import name too, and no tenant is made', async () => {
    const tenants = async () => Number((await t.db.query('SELECT count(*) AS n FROM "shared"."tenants"'))[0].n);
    const before = await tenants();
    const res = await t.http().post('/tenants/import?slug=query-name&name=%ED%A0%80').set('X-Admin-Key', TEST_ADMIN_KEY).set('Content-Type', 'application/gzip').send(Buffer.from('x'));
    expect({ status: res.status, body: res.body }).toEqual({ status: 400, body: REFUSED });
    expect(await tenants()).toBe(before);
  });

  it('while UTF-8 percent-encoded is read as sent', async () => {
    const target = await createTarget(a, { kind: 'café', tags: ['100%'] });
    expect((await a.get('/targets?kind=caf%C3%A9').expect(200)).body.items.map((item: { id: string }) => item.id)).toEqual([target.id]);
    expect((await a.get('/targets?tag=100%25').expect(200)).body.items.map((item: { id: string }) => item.id)).toEqual([target.id]);
  });
});
