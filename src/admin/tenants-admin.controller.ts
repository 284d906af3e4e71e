import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ErrorDto } from '../common/error.dto';
import { parseId } from '../common/parse-id.pipe';
import { DEFAULT_PAGE_SIZE, Page } from '../common/pagination';
import {
  CreateTenantDto,
  ListTenantsQueryDto,
  TenantDto,
  TenantPageDto,
  TenantWithKeyDto,
  UpdateTenantDto,
} from '../tenancy/registry/dto/tenant.dto';
import { toTenantView } from '../tenancy/registry/tenant-view';
import { TenantsService } from '../tenancy/registry/tenants.service';
import { AdminKeyGuard } from './admin-key.guard';

export const ADMIN_KEY_SCHEME = 'adminApiKey';
const uuid = parseId();

@ApiTags('tenants (operator)')
@ApiSecurity(ADMIN_KEY_SCHEME)
@ApiResponse({ status: 401, description: 'Missing or wrong admin key', type: ErrorDto })
@ApiResponse({ status: 404, description: 'Admin API disabled (ADMIN_API_KEY unset), or no such tenant', type: ErrorDto })
@UseGuards(AdminKeyGuard)
@Controller('tenants')
export class TenantsAdminController {
  constructor(private readonly tenants: TenantsService) {}

  @ApiOperation({ summary: 'Create a tenant: registry row, schema at the latest migration and API key, atomically' })
  @ApiResponse({ status: 201, type: TenantWithKeyDto })
  @ApiResponse({ status: 409, description: 'Slug taken', type: ErrorDto })
  @Post()
  async create(@Body() body: CreateTenantDto): Promise<TenantWithKeyDto> {
    const { tenant, apiKey } = await this.tenants.create(body.name, body.slug);
    return { tenant: toTenantView(tenant), apiKey };
  }

  @ApiOperation({ summary: 'List tenants, newest first' })
  @ApiResponse({ status: 200, type: TenantPageDto })
  @Get()
  async list(@Query() query: ListTenantsQueryDto): Promise<Page<TenantDto>> {
    const page = await this.tenants.list({
      limit: query.limit ?? DEFAULT_PAGE_SIZE,
      cursor: query.cursor,
      isActive: query.isActive === undefined ? undefined : query.isActive === 'true',
    });
    return { items: page.items.map(toTenantView), nextCursor: page.nextCursor };
  }

  @ApiOperation({ summary: 'One tenant' })
  @ApiResponse({ status: 200, type: TenantDto })
  @Get(':id')
  async get(@Param('id', uuid) id: string): Promise<TenantDto> {
    return toTenantView(await this.tenants.get(id));
  }

  @ApiOperation({ summary: 'Rename, deactivate or reactivate a tenant' })
  @ApiResponse({ status: 200, type: TenantDto })
  @Put(':id')
  async update(@Param('id', uuid) id: string, @Body() body: UpdateTenantDto): Promise<TenantDto> {
    return toTenantView(await this.tenants.update(id, body));
  }

  @ApiOperation({ summary: 'Issue a new API key; the old one is refused from now on, on every instance' })
  @ApiResponse({ status: 200, type: TenantWithKeyDto })
  @HttpCode(200)
  @Post(':id/regenerate-api-key')
  async regenerateKey(@Param('id', uuid) id: string): Promise<TenantWithKeyDto> {
    const { tenant, apiKey } = await this.tenants.regenerateKey(id);
    return { tenant: toTenantView(tenant), apiKey };
  }
}
