import { Controller, Get, HttpCode, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiProduces, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ErrorDto } from '../common/error.dto';
import { parseId } from '../common/parse-id.pipe';
import { ImportedTenantDto, ImportTenantQueryDto } from '../tenancy/registry/dto/tenant.dto';
import { toTenantView } from '../tenancy/registry/tenant-view';
import { TenantExportService } from '../tenancy/lifecycle/tenant-export.service';
import { TenantImportService } from '../tenancy/lifecycle/tenant-import.service';
import { AdminKeyGuard } from './admin-key.guard';
import { ARCHIVE_MEDIA_TYPE, archiveBody, sendArchive } from './archive-http';
import { ADMIN_KEY_SCHEME } from './tenants-admin.controller';

const uuid = parseId();

@ApiTags('tenants (operator)')
@ApiSecurity(ADMIN_KEY_SCHEME)
@ApiResponse({ status: 401, description: 'Missing or wrong admin key', type: ErrorDto })
@ApiResponse({ status: 404, description: 'Admin API disabled (ADMIN_API_KEY unset), or no such tenant', type: ErrorDto })
@UseGuards(AdminKeyGuard)
@Controller('tenants')
export class TenantLifecycleController {
  constructor(
    private readonly exporter: TenantExportService,
    private readonly importer: TenantImportService,
  ) {}

  @ApiOperation({
    summary: 'Export a tenant: a gzip archive (docs/export-format.md) of every table, from one consistent snapshot',
  })
  @ApiProduces(ARCHIVE_MEDIA_TYPE)
  @ApiResponse({ status: 200, description: 'The archive', schema: { type: 'string', format: 'binary' } })
  @Get(':id/export')
  async export(@Param('id', uuid) id: string, @Res() res: Response): Promise<void> {
    const { tenant, archive } = await this.exporter.open(id);
    await sendArchive(res, `${tenant.slug}.tenantry.gz`, archive);
  }

  @ApiOperation({ summary: 'Create a tenant holding exactly the rows of an export archive (migrated to the latest version)' })
  @ApiConsumes(ARCHIVE_MEDIA_TYPE)
  @ApiBody({ schema: { type: 'string', format: 'binary' }, description: 'An export archive; not bound by the JSON body limit' })
  @ApiResponse({ status: 201, type: ImportedTenantDto })
  @ApiResponse({ status: 400, description: 'Archive corrupt (not gzip, truncated, bad framing, manifest missing)', type: ErrorDto })
  @ApiResponse({ status: 409, description: 'Slug taken', type: ErrorDto })
  @ApiResponse({ status: 415, description: 'Body not sent as application/gzip', type: ErrorDto })
  @ApiResponse({ status: 422, description: 'Archive rejected (checksum or count mismatch, newer version, rows refused)', type: ErrorDto })
  @HttpCode(201)
  @Post('import')
  async import(@Query() query: ImportTenantQueryDto, @Req() req: Request): Promise<ImportedTenantDto> {
    const { tenant, apiKey, tables } = await this.importer.import(archiveBody(req), query.slug, query.name);
    return { tenant: toTenantView(tenant), apiKey, tables };
  }
}
