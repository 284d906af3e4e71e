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

  describe('operator list cursors that decode to what PostgreSQL cannot hold (they were 500s)', () => {
    const cursorOf = (parts: unknown[]) => Buffer.from(JSON.stringify(parts)).toString('base64url');
    const admin = (path: string) => t.http().get(path).set('X-Admin-Key', TEST_ADMIN_KEY);
    const CURSOR_INVALID = { statusCode: 400, error: 'Bad Request', message: 'cursor is invalid', requestId: expect.any(String) };

    it.each(['0000-01-01T00:00:00.000Z', '+275760-09-13T00:00:00.000Z', '2030', '2030-01-01T00:00:00'])(
      'GET /tenants/{id}/keys with a cursor at %s is a 400',
      async (createdAt) => {
        const res = await admin(`/tenants/${a.id}/keys?cursor=${cursorOf([createdAt, 'AAAAAAAAAAAA'])}`);
        expect({ status: res.status, body: res.body }).toEqual({ status: 400, body: CURSOR_INVALID });
      },
    );

    it('GET /tenants/{id}/audit with a cursor past the largest bigint is a 400, and the largest is a page', async () => {
      const res = await admin(`/tenants/${a.id}/audit?cursor=${cursorOf(['9223372036854775808'])}`);
      expect({ status: res.status, body: res.body }).toEqual({ status: 400, body: CURSOR_INVALID });
      const last = await admin(`/tenants/${a.id}/audit?cursor=${cursorOf(['9223372036854775807'])}`).expect(200);
      expect(last.body.items.length).toBeGreaterThan(0);
    });

    it('while the cursors the lists hand out are followed', async () => {
      await t.http().post(`/tenants/${a.id}/keys`).set('X-Admin-Key', TEST_ADMIN_KEY).send({ name: 'second' }).expect(201);
      const first = await admin(`/tenants/${a.id}/keys?limit=1`).expect(200);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      expect((await admin(`/tenants/${a.id}/keys?limit=1&cursor=${first.body.nextCursor}`).expect(200)).body.items).toHaveLength(1);
    });
  });

  it('while UTF-8 percent-encoded is read as sent', async () => {
    const target = await createTarget(a, { kind: 'café', tags: ['100%'] });
    expect((await a.get('/targets?kind=caf%C3%A9').expect(200)).body.items.map((item: { id: string }) => item.id)).toEqual([target.id]);
    expect((await a.get('/targets?tag=100%25').expect(200)).body.items.map((item: { id: string }) => item.id)).toEqual([target.id]);
  });
});
