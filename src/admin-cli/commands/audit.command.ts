import { Command, Option } from 'nest-commander';
import { InvalidInputError } from '../../common/domain-errors';
import { toAuditEventDto } from '../../tenancy/audit/dto/audit-event.dto';
import { TenantAuditLog } from '../../tenancy/registry/tenant-audit-log.service';
import { CliOutput } from '../cli-output.service';
import { auditTable } from '../format';
import { JsonCommand } from '../json-command';

@Command({ name: 'audit', arguments: '<tenant>', description: "A tenant's audit trail, newest first (a purged tenant's by its id)" })
export class AuditCommand extends JsonCommand {
  constructor(
    private readonly audit: TenantAuditLog,
    private readonly out: CliOutput,
  ) {
    super();
  }

  async run([idOrSlug]: string[], options: { json?: boolean; limit?: number }): Promise<void> {
    const page = await this.audit.list(idOrSlug, options.limit ?? 50);
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
