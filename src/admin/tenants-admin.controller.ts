import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/api-error-responses.decorator';
import { ApiIdParam } from '../common/api-id-param.decorator';
import { parseId } from '../common/parse-id.pipe';
import { DEFAULT_PAGE_SIZE, Page } from '../common/pagination';
import {
  CreateTenantWithSourceDto,
  ListTenantsQueryDto,
  TenantDto,
  TenantPageDto,
  TenantWithKeyDto,
  UpdateTenantDto,
} from '../tenancy/registry/dto/tenant.dto';
import { toTenantView } from '../tenancy/registry/tenant-view';
import { TenantsService } from '../tenancy/registry/tenants.service';
import { TenantImportService } from '../tenancy/lifecycle/tenant-import.service';
import { AdminKeyGuard } from './admin-key.guard';
import { AdminErrorResponses, BAD_ID, DISABLED, TENANT_NOT_FOUND } from './admin-routes';
import { NoBody } from '../common/no-body.decorator';

export const ADMIN_KEY_SCHEME = 'adminApiKey';
export const TENANTS_ADMIN_TAG = {
  name: 'tenants (operator)',
  description:
    'The tenant registry, for operators: `X-Admin-Key` with the server\'s `ADMIN_API_KEY`. Without `ADMIN_API_KEY` ' +
    'these routes do not exist (`404`). The CLI (`npm run cli -- …`) offers the same operations.',
};

const uuid = parseId();
const ID = 'The tenant';

@ApiTags(TENANTS_ADMIN_TAG.name)
@ApiSecurity(ADMIN_KEY_SCHEME)
@AdminErrorResponses()
@UseGuards(AdminKeyGuard)
@Controller('tenants')
export class TenantsAdminController {
  constructor(
    private readonly tenants: TenantsService,
    private readonly importer: TenantImportService,
  ) {}

  @ApiOperation({
    summary: 'Create a tenant: registry row, schema at the latest migration and API key, atomically',
    description:
      'If any part fails, no row, schema or key is left behind. The key is in this answer only: keep it. ' +
      'Of concurrent creates of one slug, exactly one succeeds. With `cloneFrom`, the new tenant starts with a ' +
      'copy of that tenant\'s data taken at one instant.',
  })
  @ApiResponse({ status: 201, description: 'The tenant and its API key', type: TenantWithKeyDto })
  @ApiErrorResponses(
    400,
    { status: 404, description: `${DISABLED}, or no tenant to clone from`, message: 'Tenant not found' },
    { status: 409, description: 'Slug taken', message: 'A tenant with slug "acme-corp" already exists' },
    413,
  )
  @Post()
  async create(@Body() body: CreateTenantWithSourceDto): Promise<TenantWithKeyDto> {
    const { tenant, apiKey } = body.cloneFrom
      ? await this.importer.clone(body.name, body.slug, body.cloneFrom)
      : await this.tenants.create(body.name, body.slug);
    return { tenant: toTenantView(tenant), apiKey };
  }

  @ApiOperation({
    summary: 'List tenants, newest first',
    description:
      'Keyset pagination: pass `nextCursor` as `cursor` for the next page; `isActive` narrows the list. Deleted tenants ' +
      '(awaiting their purge) are listed only with `includeDeleted=true`.',
  })
  @ApiResponse({ status: 200, description: 'One page of tenants', type: TenantPageDto })
  @ApiErrorResponses({ status: 400, message: 'cursor is invalid' }, { status: 404, description: DISABLED })
  @Get()
  async list(@Query() query: ListTenantsQueryDto): Promise<Page<TenantDto>> {
    const page = await this.tenants.list({
      limit: query.limit ?? DEFAULT_PAGE_SIZE,
      cursor: query.cursor,
      isActive: query.isActive === undefined ? undefined : query.isActive === 'true',
      includeDeleted: query.includeDeleted === 'true',
    });
    return { items: page.items.map(toTenantView), nextCursor: page.nextCursor };
  }

  @ApiOperation({
    summary: 'One tenant',
    description: 'Active, deactivated, or deleted and awaiting its purge (`deletedAt` set: restore it with `POST /tenants/{id}/restore`).',
  })
  @ApiResponse({ status: 200, description: 'The tenant', type: TenantDto })
  @ApiErrorResponses(BAD_ID, TENANT_NOT_FOUND)
  @ApiIdParam(ID)
  @Get(':id')
  async get(@Param('id', uuid) id: string): Promise<TenantDto> {
    return toTenantView(await this.tenants.get(id));
  }

  @ApiOperation({
    summary: 'Rename, deactivate or reactivate a tenant, or set its rate limit',
    description:
      'Deactivation takes effect at once on every instance: the tenant\'s key gets `403` from then on. A new ' +
      '`rateLimit` (or `null`, back to the instance default) applies on every instance from the next request on, ' +
      'with a full bucket.',
  })
  @ApiResponse({ status: 200, description: 'The changed tenant', type: TenantDto })
  @ApiErrorResponses(400, TENANT_NOT_FOUND, 413)
  @ApiIdParam(ID)
  @Put(':id')
  async update(@Param('id', uuid) id: string, @Body() body: UpdateTenantDto): Promise<TenantDto> {
    return toTenantView(await this.tenants.update(id, body));
  }

  @ApiOperation({
    summary: 'Revoke every key of the tenant (refused at once, on every instance) and issue one new key with every scope',
    description: 'For a compromised tenant: every key it has (named, scoped, in a grace period) is revoked; the new key is in this answer only. To replace one key, rotate it (`POST /tenants/{id}/keys/{keyId}/rotate`).',
  })
  @ApiResponse({ status: 200, description: 'The tenant and its new API key', type: TenantWithKeyDto })
  @ApiErrorResponses(BAD_ID, TENANT_NOT_FOUND)
  @ApiIdParam(ID)
  @HttpCode(200)
  @Post(':id/regenerate-api-key')
  @NoBody()
  async regenerateKey(@Param('id', uuid) id: string): Promise<TenantWithKeyDto> {
    const { tenant, apiKey } = await this.tenants.regenerateKey(id);
    return { tenant: toTenantView(tenant), apiKey };
  }
}
