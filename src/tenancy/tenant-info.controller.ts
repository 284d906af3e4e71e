import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { TenantInfoDto } from './registry/dto/tenant.dto';
import { TenantContext } from './auth/tenant-context';
import { TenantRoute } from './auth/tenant-route.decorator';

@ApiTags('tenant')
@TenantRoute()
@Controller('tenant-info')
export class TenantInfoController {
  constructor(private readonly context: TenantContext) {}

  @ApiOperation({ summary: "The calling tenant's registry entry" })
  @ApiResponse({ status: 200, type: TenantInfoDto })
  @Get()
  info(): TenantInfoDto {
    const { id, name, slug, schemaName, isActive, createdAt } = this.context.tenant;
    return { id, name, slug, schemaName, isActive, createdAt: createdAt.toISOString() };
  }
}
