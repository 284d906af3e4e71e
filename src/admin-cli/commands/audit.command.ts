import { Command, Option } from 'nest-commander';
import { InvalidInputError } from '../../common/domain-errors';
import { AuditTrail } from '../../tenancy/audit/audit-trail.service';
import { toAuditEventDto } from '../../tenancy/audit/dto/audit-event.dto';
import { TenantsService } from '../../tenancy/registry/tenants.service';
import { CliOutput } from '../cli-output.service';
import { auditTable } from '../format';
import { JsonCommand } from '../json-command';

@Command({ name: 'audit', arguments: '<tenant>', description: "A tenant's audit trail, newest first" })
export class AuditCommand extends JsonCommand {
  constructor(
    private readonly tenants: TenantsService,
    private readonly audit: AuditTrail,
    private readonly out: CliOutput,
  ) {
    super();
  }

  async run([idOrSlug]: string[], options: { json?: boolean; limit?: number }): Promise<void> {
    const tenant = await this.tenants.get(idOrSlug);
    const page = await this.audit.list(tenant.id, options.limit ?? 50);
    const events = page.items.map(toAuditEventDto);
    if (options.json) return this.out.json(events);
    this.out.print(auditTable(events));
  }

  @Option({ flags: '--limit <n>', description: 'how many events (1–100, default 50)' })
  parseLimit(value: string): number {
    const limit = Number(value);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new InvalidInputError('--limit must be an integer from 1 to 100');
    return limit;
  }
}
