import { Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiErrorResponses } from '../common/api-error-responses.decorator';
import { ApiIdParam } from '../common/api-id-param.decorator';
import { parseId } from '../common/parse-id.pipe';
import { DeleteTenantQueryDto, ImportedTenantDto, ImportTenantQueryDto, TenantDto } from '../tenancy/registry/dto/tenant.dto';
import { TenantDeletionService } from '../tenancy/registry/tenant-deletion.service';
import { toTenantView } from '../tenancy/registry/tenant-view';
import { TenantExportService } from '../tenancy/lifecycle/tenant-export.service';
import { TenantImportService } from '../tenancy/lifecycle/tenant-import.service';
import { AdminKeyGuard } from './admin-key.guard';
import { AdminErrorResponses, BAD_ID, DISABLED, TENANT_NOT_FOUND } from './admin-routes';
import { ARCHIVE_MEDIA_TYPE, archiveBody, sendArchive } from './archive-http';
import { ADMIN_KEY_SCHEME, TENANTS_ADMIN_TAG } from './tenants-admin.controller';
import { NoBody } from '../common/no-body.decorator';

const uuid = parseId();

@ApiTags(TENANTS_ADMIN_TAG.name)
@ApiSecurity(ADMIN_KEY_SCHEME)
@AdminErrorResponses()
@UseGuards(AdminKeyGuard)
@Controller('tenants')
export class TenantLifecycleController {
  constructor(
    private readonly exporter: TenantExportService,
    private readonly importer: TenantImportService,
    private readonly deletion: TenantDeletionService,
  ) {}

  @ApiOperation({
    summary: 'Delete a tenant: a soft delete, restorable until `purgeAfter`; with `purge=true`, erased at once',
    description:
      "A soft delete refuses the tenant's keys at once, on every instance (`403` `Tenant is deleted`), keeps its data " +
      'and its slug for `TENANT_RETENTION_DAYS`, and answers the tenant with `deletedAt` and `purgeAfter`. It stays ' +
      'readable here (`GET /tenants/{id}`, listed with `includeDeleted=true`) until the purge removes its schema, ' +
      'ledger entry, keys and row (its audit events stay); then the slug is free again. Deleting a deleted tenant is ' +
      '`409`. With `purge=true` the tenant (live or deleted) is erased at once, and the answer is the tenant as it was.',
  })
  @ApiResponse({ status: 200, description: 'The deleted (or purged) tenant', type: TenantDto })
  @ApiErrorResponses(
    { status: 400, message: 'purge must be one of the following values: true, false' },
    TENANT_NOT_FOUND,
    {
      status: 409,
      description: 'Already deleted (and `purge` not set)',
      message: 'Tenant is already deleted; restore it, or purge it with purge=true',
    },
  )
  @ApiIdParam('The tenant')
  @Delete(':id')
  @NoBody()
  async delete(@Param('id', uuid) id: string, @Query() query: DeleteTenantQueryDto): Promise<TenantDto> {
    return toTenantView(query.purge === 'true' ? await this.deletion.purge(id) : await this.deletion.delete(id));
  }

  @ApiOperation({
    summary: 'Restore a deleted tenant, with its keys, before its purge',
    description: 'The same keys work again at once, on every instance. A tenant that is not deleted is `409`; a purged one is gone (`404`).',
  })
  @ApiResponse({ status: 200, description: 'The restored tenant', type: TenantDto })
  @ApiErrorResponses(BAD_ID, TENANT_NOT_FOUND, { status: 409, description: 'Not deleted', message: 'Tenant is not deleted' })
  @ApiIdParam('The tenant')
  @HttpCode(200)
  @Post(':id/restore')
  @NoBody()
  async restore(@Param('id', uuid) id: string): Promise<TenantDto> {
    return toTenantView(await this.deletion.restore(id));
  }

  @ApiOperation({
    summary: 'Export a tenant as a gzip archive of every table, from one consistent snapshot',
    description:
      'The layout is in docs/export-format.md: a header, each table in COPY text format, and a manifest with each ' +
      "table's row count and SHA-256. Read from one `REPEATABLE READ` snapshot that never blocks the tenant's writes, " +
      'and streamed: a failure after the first byte cuts the response short (an incomplete gzip stream).',
  })
  @ApiResponse({
    status: 200,
    description: 'The archive',
    content: { [ARCHIVE_MEDIA_TYPE]: { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiErrorResponses(BAD_ID, TENANT_NOT_FOUND)
  @ApiIdParam('The tenant')
  @Get(':id/export')
  async export(@Param('id', uuid) id: string, @Res() res: Response): Promise<void> {
    const { tenant, archive } = await this.exporter.open(id);
    await sendArchive(res, `${tenant.slug}.tenantry.gz`, archive);
  }

  @ApiOperation({
    summary: 'Create a tenant holding exactly the rows of an export archive',
    description:
      'The body is the archive itself (`Content-Type: application/gzip`), not bound by the JSON body limit but by ' +
      '`IMPORT_MAX_ARCHIVE_BYTES`, as sent and once decompressed (`413`: reading stops there). Row ' +
      'counts and checksums are checked before the commit; an older archive is migrated to the latest version. ' +
      'Whatever fails, no tenant, schema or key is left behind. The key is in this answer only.',
  })
  @ApiConsumes(ARCHIVE_MEDIA_TYPE)
  @ApiBody({ schema: { type: 'string', format: 'binary' }, description: 'An export archive' })
  @ApiResponse({ status: 201, description: 'The tenant, its API key and the rows taken per table', type: ImportedTenantDto })
  @ApiErrorResponses(
    {
      status: 400,
      description: 'Bad slug or name, or a corrupt archive (not gzip, truncated, manifest missing)',
      message: 'Archive is corrupt: the manifest is missing (the archive ends before it)',
    },
    { status: 404, description: DISABLED },
    { status: 409, description: 'Slug taken', message: 'A tenant with slug "acme-corp" already exists' },
    {
      status: 413,
      description: 'The archive is over `IMPORT_MAX_ARCHIVE_BYTES`, as sent (its `Content-Length`) or once decompressed',
      message: 'Archive is too large: it is over IMPORT_MAX_ARCHIVE_BYTES (10737418240 bytes) once decompressed; nothing was imported',
    },
    {
      status: 415,
      description: 'The body is not sent as `application/gzip`, or is sent with a `Content-Encoding`',
      message: 'An import takes the archive as application/gzip, not application/json',
    },
    {
      status: 422,
      description: 'Archive refused: checksum or count mismatch, newer version, rows the schema refuses',
      message: 'Archive rejected: table targets: checksum does not match the manifest',
    },
  )
  @HttpCode(201)
  @Post('import')
  async import(@Query() query: ImportTenantQueryDto, @Req() req: Request): Promise<ImportedTenantDto> {
    const { tenant, apiKey, tables } = await this.importer.import(archiveBody(req), query.slug, query.name);
    return { tenant: toTenantView(tenant), apiKey, tables };
  }
}
