import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { releaseConnection } from '../../database/copy-streams';
import type { Tenant } from '../registry/tenant.entity';
import { TenantsService } from '../registry/tenants.service';
import type { ArchiveTenant } from './archive-format';
import { archiveChunks, describeSchema, ExportProgress, SchemaSnapshot } from './schema-snapshot';

export interface OpenExport {
  tenant: Tenant;
  /** The archive before gzip (docs/export-format.md); the snapshot is released when the stream ends or is destroyed. */
  archive: Readable;
}

/**
 * Exports a tenant from one `REPEATABLE READ READ ONLY` transaction: every table is read by `COPY … TO STDOUT`
 * from the same snapshot, which takes only ACCESS SHARE locks (the tenant's writes go on), and streamed with
 * back-pressure, so memory stays flat whatever the tenant's size.
 */
@Injectable()
export class TenantExportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tenants: TenantsService,
  ) {}

  /** Resolves the tenant and opens the snapshot before any byte is sent, so an unknown tenant is a plain 404. */
  async open(idOrSlug: string, onProgress?: (progress: ExportProgress) => void): Promise<OpenExport> {
    const tenant = await this.tenants.get(idOrSlug);
    const archive = await this.openSchema(tenant.schemaName, { name: tenant.name, slug: tenant.slug }, onProgress);
    return { tenant, archive };
  }

  /** Any schema holding the domain tables (a tenant's, or the one being adopted). */
  async openSchema(schemaName: string, tenant: ArchiveTenant, onProgress?: (progress: ExportProgress) => void): Promise<Readable> {
    const queryRunner = this.dataSource.createQueryRunner();
    await queryRunner.connect();
    let snapshot: SchemaSnapshot;
    try {
      await queryRunner.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      // Transaction-scoped: a role's statement_timeout must not cut a whole table's COPY short (see copy-streams.ts).
      await queryRunner.query(`SELECT set_config('statement_timeout', '0', true)`);
      snapshot = await describeSchema(queryRunner, schemaName, tenant);
    } catch (error) {
      await releaseConnection(queryRunner, error as Error);
      throw error;
    }
    let committed = false;
    async function* chunks(): AsyncGenerator<Buffer> {
      yield* archiveChunks(queryRunner, schemaName, snapshot, onProgress);
      await queryRunner.query('COMMIT');
      committed = true;
    }
    const archive = Readable.from(chunks(), { objectMode: false });
    // Also when the stream is destroyed before its first read (a generator that never started runs no finally).
    archive.once('close', () => {
      void releaseConnection(queryRunner, committed ? undefined : new Error('export stopped before its end'));
    });
    return archive;
  }
}
