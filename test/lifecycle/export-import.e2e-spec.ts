import { gzipSync } from 'node:zlib';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { TENANT_STEPS } from '../../src/database/migrations/migration-sets';
import { ArchiveLoaderService } from '../../src/tenancy/lifecycle/archive-loader.service';
import { TenantExportService } from '../../src/tenancy/lifecycle/tenant-export.service';
import {
  decodeArchive,
  encodeArchive,
  exportArchive,
  importArchive,
  leftovers,
  schemaRows,
  sha256,
  tenantWithData,
} from '../utils/archive';
import { createTestApp, TEST_ADMIN_KEY, TestApp, uniqueSlug } from '../utils/test-app';
import { MISSING_ID } from '../utils/domain-fixtures';

describe('tenant export and import', () => {
  let t: TestApp;
  let source: Awaited<ReturnType<typeof tenantWithData>>;
  let archive: Buffer;

  beforeAll(async () => {
    t = await createTestApp();
    source = await tenantWithData(t);
    archive = (await exportArchive(t, source.id)).body;
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('GET /tenants/{id}/export', () => {
    it('streams a gzip archive: header, every domain table in primary-key order, and a manifest with counts and checksums', async () => {
      const res = await exportArchive(t, source.id);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/gzip');
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename=".+\.tenantry\.gz"$/);
      const decoded = decodeArchive(res.body);
      expect(decoded.header).toMatchObject({ kind: 'header', format: 'tenantry-tenant-export', formatVersion: 1 });
      expect(decoded.header.migration).toBe(TENANT_STEPS.at(-1)!.name);
      // Parents before children, so an import satisfies every foreign key as it goes.
      expect(decoded.header.tables.map((x: { name: string }) => x.name)).toEqual(['targets', 'sessions', 'jobs', 'job_logs', 'schedules']);
      const counts = await source.counts();
      expect(decoded.manifest).toMatchObject({ kind: 'manifest', migration: decoded.header.migration });
      for (const [index, table] of decoded.manifest!.tables.entries()) {
        expect(table.rows).toBe(counts[table.name as keyof typeof counts]);
        expect(table.sha256).toBe(sha256(decoded.tables[index].data));
      }
      expect(counts).toEqual({ targets: 2, sessions: 1, jobs: 2, job_logs: 2 + 0, schedules: 1 });
    });

    it('404 for an unknown tenant, 400 for a malformed id, 401 without the admin key', async () => {
      expect((await t.http().get(`/tenants/${MISSING_ID}/export`).set('X-Admin-Key', TEST_ADMIN_KEY)).status).toBe(404);
      expect((await t.http().get('/tenants/not-a-uuid/export').set('X-Admin-Key', TEST_ADMIN_KEY)).status).toBe(400);
      expect((await t.http().get(`/tenants/${source.id}/export`)).status).toBe(401);
    });

    it('a snapshot: rows written while an export is open are not in it, and the writes are not blocked', async () => {
      const exporter = t.app.get(TenantExportService);
      const { archive: stream } = await exporter.open(source.id);
      const before = await source.count('targets');
      // The snapshot is taken when the export opens; this write goes through while it is open.
      await source.post('/targets', { name: `late-${Date.now()}`, address: 'x' }).expect(201);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      const decoded = decodeArchive(gzipSync(Buffer.concat(chunks)));
      expect(decoded.manifest!.tables[0]).toMatchObject({ name: 'targets', rows: before });
      await source.sql(`DELETE FROM $schema."targets" WHERE "name" LIKE 'late-%'`);
    });
  });

  it('both routes are in the OpenAPI document with the admin key and the archive media type', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body;
    const exportOp = doc.paths['/tenants/{id}/export'].get;
    expect(exportOp.security).toEqual([{ adminApiKey: [] }]);
    expect(Object.keys(exportOp.responses['200'].content)).toEqual(['application/gzip']);
    const importOp = doc.paths['/tenants/import'].post;
    expect(Object.keys(importOp.requestBody.content)).toEqual(['application/gzip']);
    expect(Object.keys(importOp.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '409', '413', '415', '422']));
    expect(doc.components.schemas.CreateTenantWithSourceDto.properties.cloneFrom).toBeDefined();
  });

  describe('POST /tenants/import', () => {
    it('creates a tenant with exactly the archive rows and a working key; export again gives the same contents', async () => {
      const slug = uniqueSlug('imp');
      const res = await importArchive(t, archive, { slug, name: 'Imported' });
      expect(res.status).toBe(201);
      expect(res.body.tenant).toMatchObject({ slug, name: 'Imported', schemaName: `tenant_${slug}`, isActive: true });
      expect(res.body.apiKey).toMatch(/^tnt_/);
      expect(res.body.tables).toEqual([
        { name: 'targets', rows: 2 },
        { name: 'sessions', rows: 1 },
        { name: 'jobs', rows: 2 },
        { name: 'job_logs', rows: 2 },
        { name: 'schedules', rows: 1 },
      ]);
      expect(await schemaRows(t, `tenant_${slug}`)).toEqual(await schemaRows(t, source.schema));
      const targets = await t.http().get('/targets').set('X-API-Key', res.body.apiKey).expect(200);
      expect(targets.body.items.map((x: { address: string }) => x.address)).toContain('tab\there "quoted" \\ back');
      const ledger = await t.db.query(`SELECT version, state FROM shared.schema_versions WHERE schema_name = $1`, [`tenant_${slug}`]);
      expect(ledger).toEqual([{ version: TENANT_STEPS.at(-1)!.name, state: 'ready' }]);
      const events = await t.db.query(`SELECT action, actor, detail FROM shared.audit_events WHERE tenant_id = $1 ORDER BY id`, [
        res.body.tenant.id,
      ]);
      expect(events.map((e: { action: string }) => e.action).sort()).toEqual(['tenant.created', 'tenant.imported']);
      expect(events.find((e: { action: string }) => e.action === 'tenant.imported')).toMatchObject({ actor: 'admin-api', detail: { source: 'archive', tables: res.body.tables } });

      const again = decodeArchive((await exportArchive(t, res.body.tenant.id)).body);
      const first = decodeArchive(archive);
      expect(again.tables.map((x) => x.data)).toEqual(first.tables.map((x) => x.data));
      expect(again.manifest!.tables).toEqual(first.manifest!.tables);
      expect(again.header.tenant).toEqual({ name: 'Imported', slug });
    });

    it('takes the name from the archive when none is given; a taken slug is 409 and changes nothing', async () => {
      const slug = uniqueSlug('imp');
      const res = await importArchive(t, archive, { slug }).expect(201);
      expect(res.body.tenant.name).toBe(decodeArchive(archive).header.tenant.name);
      const taken = await importArchive(t, archive, { slug });
      expect(taken.status).toBe(409);
      expect(await t.db.query(`SELECT count(*)::int AS n FROM shared.tenants WHERE slug = $1`, [slug])).toEqual([{ n: 1 }]);
    });

    it('400 for a bad slug or an unknown query field, 415 for a JSON body', async () => {
      expect((await importArchive(t, archive, { slug: 'Bad_Slug' })).status).toBe(400);
      expect((await importArchive(t, archive, { slug: uniqueSlug('imp'), extra: '1' })).status).toBe(400);
      const json = await t
        .http()
        .post('/tenants/import')
        .query({ slug: uniqueSlug('imp') })
        .set('X-Admin-Key', TEST_ADMIN_KEY)
        .set('Content-Type', 'text/plain')
        .send('hello');
      expect(json.status).toBe(415);
    });

    it('is not bound by the JSON body limit', async () => {
      const big = await tenantWithData(t);
      const [target] = await big.sql<{ id: string }>(`SELECT "id" FROM $schema."targets" LIMIT 1`);
      // Random text, so the gzip body itself is over 1 MiB.
      const blob = () => Buffer.from(Array.from({ length: 150_000 }, () => Math.floor(Math.random() * 256))).toString('base64');
      for (let i = 0; i < 8; i++) await big.post('/jobs', { targetId: target.id, type: 'big', payload: { blob: blob() } }).expect(201);
      const body = (await exportArchive(t, big.id)).body;
      expect(body.length).toBeGreaterThan(1024 * 1024);
      const res = await importArchive(t, body, { slug: uniqueSlug('big') });
      expect(res.status).toBe(201);
      expect(res.body.tables[2]).toEqual({ name: 'jobs', rows: 10 });
    });

    describe('refuses a damaged archive, names the problem and leaves nothing behind', () => {
      const cases: Array<[string, () => Buffer, number, RegExp]> = [
        ['not gzip at all', () => Buffer.from('just some text'), 400, /not a complete gzip stream/],
        ['a truncated gzip stream', () => archive.subarray(0, Math.floor(archive.length / 2)), 400, /not a complete gzip stream/],
        ['gzip of something else', () => gzipSync('{"hello":1}\n'), 400, /does not start with a header/],
        [
          'an edited row',
          () => {
            const decoded = decodeArchive(archive);
            const data = decoded.tables[0].data.toString('utf8');
            decoded.tables[0].data = Buffer.from(data.replace('https://example.test', 'https://example.tesT'));
            return encodeArchive(decoded);
          },
          422,
          /table targets: checksum does not match the manifest/,
        ],
        [
          'a wrong checksum in the manifest',
          () => {
            const decoded = decodeArchive(archive);
            decoded.manifest!.tables[2].sha256 = '0'.repeat(64);
            return encodeArchive(decoded);
          },
          422,
          /table jobs: checksum does not match the manifest/,
        ],
        [
          'a wrong row count in the manifest',
          () => {
            const decoded = decodeArchive(archive);
            decoded.manifest!.tables[3].rows += 1;
            return encodeArchive(decoded);
          },
          422,
          /table job_logs: 2 row\(s\) loaded, the manifest says 3/,
        ],
        [
          'the manifest missing',
          () => encodeArchive({ ...decodeArchive(archive), manifest: null }),
          400,
          /manifest is missing/,
        ],
        [
          'a migration newer than the code',
          () => {
            const decoded = decodeArchive(archive);
            decoded.header.migration = decoded.manifest!.migration = 'FromTheFuture9999999999999';
            return encodeArchive(decoded);
          },
          422,
          /newer than this code/,
        ],
        [
          'a newer format version',
          () => {
            const decoded = decodeArchive(archive);
            decoded.header.formatVersion = 2;
            return encodeArchive(decoded);
          },
          422,
          /format version 2 is newer/,
        ],
        [
          'a row the schema refuses',
          () => {
            const decoded = decodeArchive(archive);
            decoded.tables[1].data = Buffer.from(`not-a-uuid\t${'x'}\n`);
            decoded.manifest!.tables[1].sha256 = sha256(decoded.tables[1].data);
            return encodeArchive(decoded);
          },
          422,
          /table sessions: rows refused by the database/,
        ],
        [
          'a table the schema does not have',
          () => {
            const decoded = decodeArchive(archive);
            decoded.header.tables[0].columns.push('colour');
            return encodeArchive(decoded);
          },
          422,
          /table targets has unknown column\(s\) colour/,
        ],
      ];

      it.each(cases)('%s', async (_name, build, status, message) => {
        const slug = uniqueSlug('bad');
        const res = await importArchive(t, build(), { slug });
        expect(res.status).toBe(status);
        expect(res.body.message).toMatch(message);
        expect(await leftovers(t, slug)).toEqual([]);
      });
    });

    it('a failure injected after the rows are in leaves nothing behind (one transaction)', async () => {
      const loader = t.app.get(ArchiveLoaderService);
      const spy = jest
        .spyOn(loader as unknown as { advanceSequences: () => Promise<void> }, 'advanceSequences')
        .mockRejectedValueOnce(new Error('injected failure'));
      const slug = uniqueSlug('inj');
      try {
        const res = await importArchive(t, archive, { slug });
        expect(res.status).toBe(500);
        expect(JSON.stringify(res.body)).not.toContain('injected');
        expect(spy).toHaveBeenCalled();
      } finally {
        spy.mockRestore();
      }
      expect(await leftovers(t, slug)).toEqual([]);
      // The pool's connections are all usable afterwards.
      expect((await importArchive(t, archive, { slug })).status).toBe(201);
    });

    it('migrates an archive from an older migration forward', async () => {
      class AddColour1999999999999 implements MigrationInterface {
        name = 'AddColour1999999999999';
        async up(queryRunner: QueryRunner): Promise<void> {
          const schema = queryRunner.data.schema as string;
          await queryRunner.query(`ALTER TABLE "${schema}"."targets" ADD COLUMN "colour" text NOT NULL DEFAULT 'blue'`);
        }
        async down(): Promise<void> {}
      }
      const loader = t.app.get(ArchiveLoaderService);
      const step = { name: 'AddColour1999999999999', timestamp: 1999999999999, migration: new AddColour1999999999999() };
      loader.steps = [...TENANT_STEPS, step];
      const slug = uniqueSlug('old');
      try {
        const res = await importArchive(t, archive, { slug });
        expect(res.status).toBe(201);
      } finally {
        loader.steps = TENANT_STEPS;
      }
      const schema = `tenant_${slug}`;
      expect(await t.db.query(`SELECT DISTINCT "colour" FROM "${schema}"."targets"`)).toEqual([{ colour: 'blue' }]);
      expect(await t.db.query(`SELECT "version" FROM shared.schema_versions WHERE schema_name = $1`, [schema])).toEqual([
        { version: 'AddColour1999999999999' },
      ]);
      expect(await t.db.query(`SELECT count(*)::int AS n FROM "${schema}"."targets"`)).toEqual([{ n: 2 }]);
    });
  });
});
