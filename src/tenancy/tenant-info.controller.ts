import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { TenantInfoDto } from './registry/dto/tenant.dto';
import { TenantContext } from './auth/tenant-context';
import { TenantRoute } from './auth/tenant-route.decorator';
import { RequireScope } from './auth/require-scope.decorator';

export const TENANT_INFO_TAG = { name: 'tenant', description: 'The tenant that the calling `X-API-Key` belongs to.' };

@ApiTags(TENANT_INFO_TAG.name)
@TenantRoute()
@Controller('tenant-info')
export class TenantInfoController {
  constructor(private readonly context: TenantContext) {}

  @ApiOperation({
    summary: "The calling tenant's registry entry, and the calling key",
    description: 'A cheap way for a client to check its key: `200` with the tenant, `401` or `403` otherwise.',
  })
  @ApiResponse({ status: 200, description: 'The tenant', type: TenantInfoDto })
  @RequireScope('read', 'write', 'worker')
  @Get()
  info(): TenantInfoDto {
    const { id, name, slug, schemaName, isActive, createdAt, key } = this.context.tenant;
    return {
      id,
      name,
      slug,
      schemaName,
      isActive,
      createdAt: createdAt.toISOString(),
      key: { id: key.id, name: key.name, scopes: [...key.scopes], expiresAt: key.expiresAt?.toISOString() ?? null },
    };
  }
}
