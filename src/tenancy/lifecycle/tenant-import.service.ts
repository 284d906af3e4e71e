import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Injectable } from '@nestjs/common';
import { InvalidInputError } from '../../common/domain-errors';
import { AuditTrail } from '../audit/audit-trail.service';
import { nameProblem, slugProblem } from '../registry/tenant-rules';
import { TenantsService, TenantWithKey } from '../registry/tenants.service';
import { ArchiveLoaderService, LoadedTable } from './archive-loader.service';
import { ArchiveReader, parseHeader } from './archive-reader';
import { ArchiveCorruptError } from './lifecycle.errors';
import { watchArrivedWork } from './arrived-work-watch';
import { TenantExportService } from './tenant-export.service';

export interface ImportedTenant extends TenantWithKey {
  tables: LoadedTable[];
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
  ) {}

  /** `gzipped`: an export archive as sent (HTTP body, file). `name` defaults to the archive's tenant name. */
  async import(gzipped: Readable, slug: string, name?: string): Promise<ImportedTenant> {
    const gunzip = createGunzip();
    const forward = (error: Error) => gunzip.destroy(error);
    gzipped.on('error', forward);
    gzipped.pipe(gunzip);
    try {
      return await this.fromArchive(gunzip, slug, name, 'archive');
    } finally {
      gzipped.unpipe(gunzip);
      gzipped.off('error', forward);
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
  async fromArchive(archive: Readable, slug: string, name: string | undefined, source: string): Promise<ImportedTenant> {
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
