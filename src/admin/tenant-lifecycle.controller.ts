import { Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiErrorResponses } from '../common/api-error-responses.decorator';
import { ApiIdParam } from '../common/api-id-param.decorator';
import { parseId } from '../common/parse-id.pipe';
import { ImportedTenantDto, ImportTenantQueryDto } from '../tenancy/registry/dto/tenant.dto';
import { toTenantView } from '../tenancy/registry/tenant-view';
import { TenantExportService } from '../tenancy/lifecycle/tenant-export.service';
import { TenantImportService } from '../tenancy/lifecycle/tenant-import.service';
import { AdminKeyGuard } from './admin-key.guard';
import { AdminErrorResponses, BAD_ID, DISABLED, TENANT_NOT_FOUND } from './admin-routes';
import { ARCHIVE_MEDIA_TYPE, archiveBody, sendArchive } from './archive-http';
import { ADMIN_KEY_SCHEME, TENANTS_ADMIN_TAG } from './tenants-admin.controller';

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
  ) {}

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
      'The body is the archive itself (`Content-Type: application/gzip`), not bound by the JSON body limit. Row ' +
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
      status: 415,
      description: 'The body is not sent as `application/gzip`',
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
