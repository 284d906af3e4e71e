import { Injectable } from '@nestjs/common';
import type { Page } from '../../common/pagination';
import { isUuid } from '../../common/uuid';
import { AuditEventRow, AuditTrail } from '../audit/audit-trail.service';
import { TenantNotFoundError } from './registry.errors';
import { TenantsService } from './tenants.service';

/**
 * A tenant's audit trail, newest first, for the admin route and the CLI. The events outlive a purge (API.md:
 * "its audit events kept"), so a purged tenant's trail is still answered by its id; an id that never had a
 * tenant is still 404.
 */
@Injectable()
export class TenantAuditLog {
  constructor(
    private readonly tenants: TenantsService,
    private readonly audit: AuditTrail,
  ) {}

  async list(idOrSlug: string, limit: number, cursor?: string): Promise<Page<AuditEventRow>> {
    let tenantId: string;
    try {
      tenantId = (await this.tenants.get(idOrSlug)).id;
    } catch (error) {
      if (!(error instanceof TenantNotFoundError) || !isUuid(idOrSlug)) throw error;
      const page = await this.audit.list(idOrSlug, limit, cursor);
      if (page.items.length === 0 && cursor === undefined) throw error;
      return page;
    }
    return this.audit.list(tenantId, limit, cursor);
  }
}
