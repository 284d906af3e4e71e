import { gzipSync } from 'node:zlib';
import { decodeArchive, encodeArchive, exportArchive, importArchive, leftovers, tenantWithData } from '../utils/archive';
import { createTestApp, TestApp, uniqueSlug } from '../utils/test-app';

/** What an import says when the archive is fine but how it was sent, or the name it carries, is not. */
describe('POST /tenants/import: how the archive is sent, and the name it carries', () => {
  let t: TestApp;
  let archive: Buffer;

  beforeAll(async () => {
    t = await createTestApp();
    archive = (await exportArchive(t, (await tenantWithData(t)).id)).body;
  });

  afterAll(async () => {
    await t?.close();
  });

  it('an archive sent with a Content-Encoding is 415 naming it (it was a 400 "corrupt"), and nothing is created', async () => {
    const slug = uniqueSlug('enc');
    const res = await importArchive(t, gzipSync(archive), { slug }).set('Content-Encoding', 'gzip');
    expect(res.status).toBe(415);
    expect(res.body.message).toBe('An import takes the archive itself as the body (it is gzip already), without a Content-Encoding (got gzip)');
    expect(await leftovers(t, slug)).toEqual([]);
    await importArchive(t, archive, { slug }).set('Content-Encoding', 'identity').expect(201);
  });

  it.each([
    ['empty', ''],
    ['too long', 'x'.repeat(201)],
  ])('a tenant name in the archive that is %s: 400 saying the archive carries it, unless a name is given', async (_case, bad) => {
    const decoded = decodeArchive(archive);
    decoded.header.tenant.name = bad;
    const edited = encodeArchive(decoded);
    const slug = uniqueSlug('nam');
    const res = await importArchive(t, edited, { slug });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^Archive is corrupt: the tenant name it carries is not a valid name \(name must be 1-200 characters after trimming\): name the new tenant/);
    expect(await leftovers(t, slug)).toEqual([]);
    const named = await importArchive(t, edited, { slug, name: 'Named' }).expect(201);
    expect(named.body.tenant.name).toBe('Named');
  });
});
