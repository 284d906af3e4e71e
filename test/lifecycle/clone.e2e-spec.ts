import { TenantExportService } from '../../src/tenancy/lifecycle/tenant-export.service';
import { leftovers, schemaRows, tenantWithData } from '../utils/archive';
import { createTestApp, TEST_ADMIN_KEY, TestApp, uniqueSlug } from '../utils/test-app';

describe('POST /tenants with cloneFrom', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  const create = (body: Record<string, unknown>) => t.http().post('/tenants').set('X-Admin-Key', TEST_ADMIN_KEY).send(body);

  it('copies every row of the source (by id or slug) into a new tenant with its own key; the source is unchanged', async () => {
    const source = await tenantWithData(t);
    const before = await schemaRows(t, source.schema);
    const [{ slug: sourceSlug }] = await t.db.query(`SELECT slug FROM shared.tenants WHERE id = $1`, [source.id]);
    for (const cloneFrom of [source.id, sourceSlug]) {
      const slug = uniqueSlug('clone');
      const res = await create({ name: 'Copy', slug, cloneFrom });
      expect(res.status).toBe(201);
      expect(res.body.tenant).toMatchObject({ slug, name: 'Copy', schemaName: `tenant_${slug}` });
      expect(await schemaRows(t, `tenant_${slug}`)).toEqual(before);
      const info = await t.http().get('/tenant-info').set('X-API-Key', res.body.apiKey).expect(200);
      expect(info.body.slug).toBe(slug);
      // The copy is independent: a write to it does not reach the source.
      await t.http().post('/targets').set('X-API-Key', res.body.apiKey).send({ name: 'only-in-copy', address: 'x' }).expect(201);
    }
    expect(await schemaRows(t, source.schema)).toEqual(before);
  });

  it('a copy of one instant: a write to the source once the copy has begun is not in it', async () => {
    const source = await tenantWithData(t);
    const exporter = t.app.get(TenantExportService);
    const open = exporter.openSchema.bind(exporter);
    const spy = jest.spyOn(exporter, 'openSchema').mockImplementation(async (...args) => {
      const archive = await open(...args);
      await source.post('/targets', { name: 'after-the-snapshot', address: 'x' }).expect(201);
      return archive;
    });
    const before = await schemaRows(t, source.schema);
    const slug = uniqueSlug('clone');
    try {
      expect((await create({ name: 'Copy', slug, cloneFrom: source.id })).status).toBe(201);
      expect(spy).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
    expect(await schemaRows(t, `tenant_${slug}`)).toEqual(before);
    expect(await source.count('targets')).toBe(before.targets.length + 1);
  });

  it('404 for an unknown source and 409 for a taken slug, leaving nothing; the pool is fine afterwards', async () => {
    const source = await tenantWithData(t);
    const slug = uniqueSlug('clone');
    const missing = await create({ name: 'Copy', slug, cloneFrom: 'no-such-tenant' });
    expect(missing.status).toBe(404);
    expect(await leftovers(t, slug)).toEqual([]);
    const [{ slug: taken }] = await t.db.query(`SELECT slug FROM shared.tenants WHERE id = $1`, [source.id]);
    for (let i = 0; i < 12; i++) {
      // More attempts than the shared pool has connections: a refused clone must give its snapshot connection back.
      expect((await create({ name: 'Copy', slug: taken, cloneFrom: source.id })).status).toBe(409);
    }
    expect((await create({ name: 'Copy', slug, cloneFrom: source.id })).status).toBe(201);
  });

  it('400 for a cloneFrom that is not a string, or empty', async () => {
    for (const cloneFrom of [42, '', null]) {
      const res = await create({ name: 'Copy', slug: uniqueSlug('clone'), cloneFrom });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body.message)).toContain('cloneFrom');
    }
  });
});
