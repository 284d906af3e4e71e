import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/api-error-responses.decorator';
import { ApiIdParam } from '../common/api-id-param.decorator';
import { PageQueryDto } from '../common/page.dto';
import { parseId } from '../common/parse-id.pipe';
import { DEFAULT_PAGE_SIZE, Page } from '../common/pagination';
import { AuditEventDto, AuditEventPageDto, toAuditEventDto } from '../tenancy/audit/dto/audit-event.dto';
import { TenantAuditLog } from '../tenancy/registry/tenant-audit-log.service';
import { AdminErrorResponses, BAD_ID, TENANT_NOT_FOUND } from './admin-routes';
import { AdminKeyGuard } from './admin-key.guard';
import { ADMIN_KEY_SCHEME, TENANTS_ADMIN_TAG } from './tenants-admin.controller';

const uuid = parseId();

@ApiTags(TENANTS_ADMIN_TAG.name)
@ApiSecurity(ADMIN_KEY_SCHEME)
@AdminErrorResponses()
@UseGuards(AdminKeyGuard)
@Controller('tenants/:id/audit')
export class TenantAuditAdminController {
  constructor(private readonly audit: TenantAuditLog) {}

  @ApiOperation({ summary: "A tenant's audit trail, newest first", description: 'Operator actions and key events, written with each change. A purged tenant\'s events are kept and still answered by its id.' })
  @ApiResponse({ status: 200, description: 'One page of events', type: AuditEventPageDto })
  @ApiErrorResponses(BAD_ID, TENANT_NOT_FOUND)
  @ApiIdParam('The tenant')
  @Get()
  async list(@Param('id', uuid) id: string, @Query() query: PageQueryDto): Promise<Page<AuditEventDto>> {
    const page = await this.audit.list(id, query.limit ?? DEFAULT_PAGE_SIZE, query.cursor);
    return { items: page.items.map(toAuditEventDto), nextCursor: page.nextCursor };
  }
}
