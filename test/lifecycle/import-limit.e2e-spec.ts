import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGzip, gunzipSync, gzipSync } from 'node:zlib';
import { ArchiveTooLargeError } from '../../src/tenancy/lifecycle/lifecycle.errors';
import { TenantImportService } from '../../src/tenancy/lifecycle/tenant-import.service';
import { decodeArchive, exportArchive, importArchive, leftovers, tenantWithData } from '../utils/archive';
import { captureCli, cliCommand } from '../utils/cli-run';
import { createTestApp, TestApp, uniqueSlug } from '../utils/test-app';

const LIMIT = 256 * 1024;
const overDecompressed = `Archive is too large: it is over IMPORT_MAX_ARCHIVE_BYTES (${LIMIT} bytes) once decompressed; nothing was imported`;
const overSent = `Archive is too large: it is over IMPORT_MAX_ARCHIVE_BYTES (${LIMIT} bytes) as sent; nothing was imported`;
const MIB = Buffer.alloc(1024 * 1024, 'a');

/**
 * The start of something like a gzip bomb: a valid header and the section of its first table, to be followed by
 * frames of 'a' (one row PostgreSQL keeps reading, with no newline), which gzip takes down to ~1 KiB a MiB.
 */
function bombStart(archive: Buffer): Buffer {
  const { header } = decodeArchive(archive);
  return Buffer.from(`${JSON.stringify(header)}\n${JSON.stringify({ kind: 'table', name: header.tables[0].name })}\n`);
}

describe('IMPORT_MAX_ARCHIVE_BYTES', () => {
  let t: TestApp;
  let archive: Buffer;
  /** One 16 MiB frame after bombStart, then the archive ends. */
  let bomb: Buffer;

  beforeAll(async () => {
    t = await createTestApp({ IMPORT_MAX_ARCHIVE_BYTES: String(LIMIT) });
    archive = (await exportArchive(t, (await tenantWithData(t)).id)).body;
    bomb = gzipSync(Buffer.concat([bombStart(archive), Buffer.from(`${16 * MIB.length}\n`), ...Array.from({ length: 16 }, () => MIB)]));
  });

  afterAll(async () => {
    await t?.close();
  });

  /** Rows in the shared tables a created tenant writes to, to see that a refused import added none. */
  async function sharedRows(): Promise<unknown> {
    return t.db.query(
      `SELECT (SELECT count(*)::int FROM shared.tenants) AS tenants, (SELECT count(*)::int FROM shared.api_keys) AS keys,
              (SELECT count(*)::int FROM shared.audit_events) AS events`,
    );
  }

  it('an archive under the limit imports', async () => {
    expect(gunzipSync(archive).length).toBeLessThan(LIMIT);
    const slug = uniqueSlug('lim');
    const res = await importArchive(t, archive, { slug }).expect(201);
    expect(res.body.tables[0]).toEqual({ name: 'targets', rows: 2 });
  });

  it('an archive that passes it once decompressed is 413 naming the limit, and leaves nothing behind', async () => {
    expect(bomb.length).toBeLessThan(LIMIT);
    const before = await sharedRows();
    const slug = uniqueSlug('bomb');
    const res = await importArchive(t, bomb, { slug });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large', message: overDecompressed });
    expect(await leftovers(t, slug)).toEqual([]);
    expect(await sharedRows()).toEqual(before);
  });

  it('a Content-Length over it is 413 before the body is read (this one is not even gzip)', async () => {
    const slug = uniqueSlug('long');
    const res = await importArchive(t, randomBytes(LIMIT + 1), { slug });
    expect(res.status).toBe(413);
    expect(res.body.message).toBe(overSent);
    expect(await leftovers(t, slug)).toEqual([]);
  });

  it('stops reading an endless archive once past it, and counts the bytes as sent too', async () => {
    let produced = 0;
    const endless = new Readable({
      read() {
        const frame = Buffer.concat([produced === 0 ? bombStart(archive) : Buffer.alloc(0), Buffer.from(`${MIB.length}\n`), MIB]);
        produced += MIB.length;
        this.push(frame);
      },
    });
    const gzipped = endless.pipe(createGzip());
    const importer = t.app.get(TenantImportService);
    const slug = uniqueSlug('endless');
    try {
      await expect(importer.import({ gzipped }, slug)).rejects.toThrow(new ArchiveTooLargeError(LIMIT, 'once decompressed'));
      // What the streams between had taken ahead (~36 MiB: 16 KiB buffers of gzip's output, ~1 KiB a MiB here).
      expect(produced).toBeLessThan(64 * MIB.length);
    } finally {
      gzipped.destroy();
      endless.destroy();
    }
    expect(await leftovers(t, slug)).toEqual([]);

    // Empty gzip members, sent with no length: nothing to decompress, but the bytes sent are counted.
    const empty = gzipSync(Buffer.alloc(0));
    const members = Buffer.concat(Array.from({ length: Math.ceil((LIMIT + 1) / empty.length) }, () => empty));
    await expect(importer.import({ gzipped: Readable.from([members]) }, slug)).rejects.toThrow(new ArchiveTooLargeError(LIMIT, 'as sent'));
    expect(await leftovers(t, slug)).toEqual([]);
  });

  it('CLI import of such an archive: one line on stderr, exit 1, nothing left behind', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tenantry-limit-')), 'bomb.tenantry.gz');
    writeFileSync(file, bomb);
    const before = await sharedRows();
    const slug = uniqueSlug('cbomb');
    const run = await captureCli(cliCommand(t, ['import', file, '--slug', slug]));
    expect(run).toEqual({ stdout: '', stderr: `error: ${overDecompressed}\n`, exitCode: 1 });
    expect(await leftovers(t, slug)).toEqual([]);
    expect(await sharedRows()).toEqual(before);

    const long = join(mkdtempSync(join(tmpdir(), 'tenantry-limit-')), 'long.tenantry.gz');
    writeFileSync(long, randomBytes(LIMIT + 1));
    expect(await captureCli(cliCommand(t, ['import', long, '--slug', slug]))).toEqual({ stdout: '', stderr: `error: ${overSent}\n`, exitCode: 1 });
  });
});
