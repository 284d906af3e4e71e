import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { TenantExportService } from '../../src/tenancy/lifecycle/tenant-export.service';
import { TenantDeletionService } from '../../src/tenancy/registry/tenant-deletion.service';
import { decodeArchive, leftovers, tenantWithData } from '../utils/archive';
import { runCli } from '../utils/cli-run';
import { createTestApp, TEST_ADMIN_KEY, TestApp, uniqueSlug } from '../utils/test-app';

/** An export whose tenant's schema is gone, or goes while it runs: an error, never an archive short of tables. */
describe('export when the schema is gone or going', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ TENANT_PURGE_INTERVAL_SECONDS: '0' });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('a tenant whose schema was dropped: export and clone are 404 naming it, the CLI writes no file, nothing is created', async () => {
    const source = await tenantWithData(t);
    await t.db.query(`DROP SCHEMA "${source.schema}" CASCADE`);
    const message = `Schema "${source.schema}" holds no tenant tables: there is nothing to export`;
    const res = await t.http().get(`/tenants/${source.id}/export`).set('X-Admin-Key', TEST_ADMIN_KEY);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ statusCode: 404, message });
    const file = join(mkdtempSync(join(tmpdir(), 'tenantry-gone-')), 'gone.tenantry.gz');
    const run = await runCli(t, 'export', source.id, '-o', file);
    expect(run).toMatchObject({ exitCode: 1, stderr: `error: ${message}\n` });
    expect(existsSync(file) || existsSync(`${file}.partial`)).toBe(false);
    const slug = uniqueSlug('gone');
    const clone = await t.http().post('/tenants').set('X-Admin-Key', TEST_ADMIN_KEY).send({ name: 'Clone', slug, cloneFrom: source.id });
    expect(clone.status).toBe(404);
    expect(clone.body.message).toBe(message);
    expect(await leftovers(t, slug)).toEqual([]);
  });

  it('a purge that begins while an export is open waits for its end; the archive is whole', async () => {
    const source = await tenantWithData(t);
    const counts = await source.counts();
    // Opened, and not a byte read yet: no COPY has reached any table.
    const { archive } = await t.app.get(TenantExportService).open(source.id);
    let purged = false;
    const purge = t.app
      .get(TenantDeletionService)
      .purge(source.id)
      .finally(() => (purged = true));
    // Until the purge has either finished or is seen waiting for a lock on the tenant's tables.
    let waiting = false;
    for (let i = 0; i < 600 && !purged && !waiting; i++) {
      const rows = await t.db.query(
        `SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE NOT l.granted AND n.nspname = $1`,
        [source.schema],
      );
      waiting = rows.length > 0;
      if (!waiting) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect({ purged, waiting }).toEqual({ purged: false, waiting: true });
    const chunks: Buffer[] = [];
    for await (const chunk of archive) chunks.push(chunk as Buffer);
    const decoded = decodeArchive(gzipSync(Buffer.concat(chunks)));
    expect(Object.fromEntries(decoded.manifest!.tables.map((x: { name: string; rows: number }) => [x.name, x.rows]))).toEqual(counts);
    await purge;
    expect(await t.db.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [source.schema])).toEqual([]);
  });
});
