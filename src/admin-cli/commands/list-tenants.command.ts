import { Command, Option } from 'nest-commander';
import { JsonCommand } from '../json-command';
import { TenantView, toTenantView } from '../../tenancy/registry/tenant-view';
import { TenantsService } from '../../tenancy/registry/tenants.service';
import { CliOutput } from '../cli-output.service';
import { tenantTable } from '../format';

@Command({ name: 'list', description: 'List tenants (active ones unless --all; deleted ones only with --deleted)' })
export class ListTenantsCommand extends JsonCommand {
  constructor(
    private readonly tenants: TenantsService,
    private readonly out: CliOutput,
  ) {
    super();
  }

  async run(_args: string[], options: { json?: boolean; all?: boolean; deleted?: boolean }): Promise<void> {
    const all: TenantView[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.tenants.list({
        limit: 100,
        cursor,
        isActive: options.all ? undefined : true,
        includeDeleted: options.deleted,
      });
      all.push(...page.items.map(toTenantView));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    if (options.json) return this.out.json(all);
    this.out.print(tenantTable(all));
  }

  @Option({ flags: '--all', description: 'include deactivated tenants' })
  parseAll(): boolean {
    return true;
  }

  @Option({ flags: '--deleted', description: 'include deleted tenants awaiting their purge' })
  parseDeleted(): boolean {
    return true;
  }
}
