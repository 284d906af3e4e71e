import { createTestApp, TEST_ADMIN_KEY, TestApp } from './utils/test-app';

describe('HTTP conventions', () => {
  let t: TestApp;
  let apiKey: string;

  beforeAll(async () => {
    t = await createTestApp();
    ({ apiKey } = await t.createTenant());
  });

  afterAll(async () => {
    await t?.close();
  });

  function nested(depth: number): string {
    return '{"metadata":' + '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) + ',"name":"deep","address":"x"}';
  }

  it('refuses a body nested 5,000 levels deep with a 400 (not a stack overflow 500) and writes nothing', async () => {
    const res = await t.http().post('/targets').set('X-API-Key', apiKey).set('Content-Type', 'application/json').send(nested(5000));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, message: 'Request body is nested deeper than 64 levels' });
    const list = await t.http().get('/targets').set('X-API-Key', apiKey);
    expect(list.body.items).toEqual([]);
  });

  it('refuses deep nesting on the admin API too, and accepts ordinary nesting', async () => {
    const deep = await t
      .http()
      .post('/tenants')
      .set('X-Admin-Key', TEST_ADMIN_KEY)
      .set('Content-Type', 'application/json')
      .send('{"name":' + '['.repeat(100) + ']'.repeat(100) + ',"slug":"deep-one"}');
    expect(deep.status).toBe(400);
    const shallow = await t.http().post('/targets').set('X-API-Key', apiKey).set('Content-Type', 'application/json').send(nested(10));
    expect(shallow.status).toBe(201);
  });

  it('sends no ETag (no hash of every response body) and no X-Powered-By', async () => {
    const res = await t.http().get('/targets').set('X-API-Key', apiKey);
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBeUndefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  describe('prototype keys in bodies', () => {
    // A tenant of its own, so "nothing written" is not confused with the targets the tests above created.
    let ownKey: string;

    beforeAll(async () => {
      ({ apiKey: ownKey } = await t.createTenant());
    });

    it.each(['__proto__', 'constructor', 'prototype'])('refuses a %s field with a 400 naming it, and writes nothing', async (key) => {
      const body = `{"name":"proto-${key}","address":"x","${key}":{"isAdmin":true}}`;
      const res = await t.http().post('/targets').set('X-API-Key', ownKey).set('Content-Type', 'application/json').send(body);
      expect(res.status).toBe(400);
      expect(res.body.message).toBe(`property ${key} should not exist`);
      const list = await t.http().get('/targets').set('X-API-Key', ownKey);
      expect(list.body.items).toEqual([]);
    });

    it.each([
      ['__proto__', '{"a":{"__proto__":1}}'],
      ['constructor.prototype', '{"a":{"constructor":{"prototype":{"isAdmin":true}}}}'],
    ])('refuses %s nested in free-form metadata, and writes nothing', async (_key, metadata) => {
      const nested = `{"name":"n","address":"x","metadata":${metadata}}`;
      const deep = await t.http().post('/targets').set('X-API-Key', ownKey).set('Content-Type', 'application/json').send(nested);
      expect(deep.status).toBe(400);
      const list = await t.http().get('/targets').set('X-API-Key', ownKey);
      expect(list.body.items).toEqual([]);
    });
  });
});
