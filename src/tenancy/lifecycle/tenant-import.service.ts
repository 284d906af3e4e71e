import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Injectable } from '@nestjs/common';
import { InvalidInputError } from '../../common/domain-errors';
import { EnvironmentVariables } from '../../config/environment-variables';
import { AuditTrail } from '../audit/audit-trail.service';
import { nameProblem, slugProblem } from '../registry/tenant-rules';
import { TenantsService, TenantWithKey } from '../registry/tenants.service';
import { ArchiveLoaderService, LoadedTable } from './archive-loader.service';
import { ArchiveReader, parseHeader } from './archive-reader';
import { ArchiveCorruptError, ArchiveTooLargeError } from './lifecycle.errors';
import { watchArrivedWork } from './arrived-work-watch';
import { TenantExportService } from './tenant-export.service';

export interface ImportedTenant extends TenantWithKey {
  tables: LoadedTable[];
}

/** An export archive as sent (HTTP body, file): gzipped, with its length when known before reading it. */
export interface SentArchive {
  gzipped: Readable;
  /** The Content-Length, or the file's size. */
  size?: number;
}

/**
 * New tenants holding another's rows: from an export archive (import) or straight from another tenant's
 * snapshot (clone: export piped into import through the app, so no statement reads two tenant schemas).
 * Both go through the normal create transaction: registry row, key, schema and rows commit together or not at all.
 */
@Injectable()
export class TenantImportService {
  constructor(
    private readonly tenants: TenantsService,
    private readonly loader: ArchiveLoaderService,
    private readonly exporter: TenantExportService,
    private readonly audit: AuditTrail,
    private readonly config: EnvironmentVariables,
  ) {}

  /**
   * `name` defaults to the archive's tenant name. An archive over IMPORT_MAX_ARCHIVE_BYTES, as sent or once
   * decompressed, is refused: by its size before any byte is read, or as soon as the bytes read pass the limit,
   * when no more is read or decompressed and the create transaction rolls back.
   */
  async import(archive: SentArchive, slug: string, name?: string): Promise<ImportedTenant> {
    const limit = this.config.IMPORT_MAX_ARCHIVE_BYTES || Infinity;
    const { gzipped, size } = archive;
    if (size !== undefined && size > limit) throw new ArchiveTooLargeError(limit, 'as sent');
    const gunzip = createGunzip();
    const forward = (error: Error) => gunzip.destroy(error);
    // Gzip members that decompress to nothing would otherwise be read without end.
    let sent = 0;
    const count = (chunk: Buffer) => {
      sent += chunk.length;
      if (sent > limit) forward(new ArchiveTooLargeError(limit, 'as sent'));
    };
    gzipped.on('error', forward);
    gzipped.pipe(gunzip);
    gzipped.on('data', count);
    try {
      return await this.fromArchive(upTo(limit, gunzip), slug, name, 'archive');
    } finally {
      gzipped.unpipe(gunzip);
      gzipped.off('error', forward);
      gzipped.off('data', count);
    }
  }

  async clone(name: string, slug: string, from: string): Promise<ImportedTenant> {
    const problem = slugProblem(slug);
    if (problem) throw new InvalidInputError(problem);
    const source = await this.tenants.get(from);
    const archive = await this.exporter.openSchema(source.schemaName, { name: source.name, slug: source.slug });
    return this.fromArchive(archive, slug, name, `clone of ${source.slug}`);
  }

  /** `archive`: the uncompressed archive stream; `source` says where it came from, for the audit trail. */
  private async fromArchive(archive: AsyncIterable<Buffer>, slug: string, name: string | undefined, source: string): Promise<ImportedTenant> {
    const reader = new ArchiveReader(archive);
    try {
      const problem = slugProblem(slug);
      if (problem) throw new InvalidInputError(problem);
      const header = parseHeader(await reader.json('header'));
      // Without a name of its own, the tenant takes the archive's: a bad one is the archive's fault, and said so.
      const archiveNameProblem = name === undefined ? nameProblem(header.tenant.name) : null;
      if (archiveNameProblem) throw new ArchiveCorruptError(`the tenant name it carries is not a valid name (${archiveNameProblem}): name the new tenant (name=, or --name)`);
      let tables: LoadedTable[] = [];
      const created = await this.tenants.create(name ?? header.tenant.name, slug, async (queryRunner, tenant) => {
        tables = await this.loader.load(queryRunner, tenant.schemaName, header, reader);
        await watchArrivedWork(queryRunner, tenant.schemaName, tenant.id);
        await this.audit.record(queryRunner.manager, {
          action: 'tenant.imported',
          tenantId: tenant.id,
          detail: { source, from: header.tenant.slug, migration: header.migration, tables },
        });
      });
      return { ...created, tables };
    } finally {
      await reader.close();
    }
  }
}

/** The decompressed archive, cut off with an error once it passes `limit` bytes (which stops the gunzip). */
async function* upTo(limit: number, chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let read = 0;
  for await (const chunk of chunks) {
    read += chunk.length;
    if (read > limit) throw new ArchiveTooLargeError(limit, 'once decompressed');
    yield chunk;
  }
}
