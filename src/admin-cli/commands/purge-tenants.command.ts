import { Command, Option } from 'nest-commander';
import { JsonCommand } from '../json-command';
import { InvalidInputError } from '../../common/domain-errors';
import { toTenantView } from '../../tenancy/registry/tenant-view';
import { TenantDeletionService } from '../../tenancy/registry/tenant-deletion.service';
import { CliOutput } from '../cli-output.service';

@Command({
  name: 'purge',
  description: 'With --due: purge every deleted tenant past its retention now (what the server does on its timer)',
})
export class PurgeTenantsCommand extends JsonCommand {
  constructor(
    private readonly deletion: TenantDeletionService,
    private readonly out: CliOutput,
  ) {
    super();
  }

  async run(_args: string[], options: { due?: boolean; json?: boolean }): Promise<void> {
    if (!options.due) throw new InvalidInputError('purge needs --due (to erase one tenant now: delete <id-or-slug> --purge --yes)');
    const report = await this.deletion.purgeDue({ wait: true });
    const purged = report.purged.map(toTenantView);
    if (options.json) this.out.json({ purged, failed: report.failed });
    else if (purged.length === 0 && report.failed.length === 0) this.out.print('No deleted tenant is due for purging.');
    else for (const tenant of purged) this.out.print(`purged  ${tenant.slug}  ${tenant.schemaName}  ${tenant.id}`);
    for (const failure of report.failed) this.out.error(`purge of tenant ${failure.tenantId} failed: ${failure.message}`);
    if (report.failed.length > 0) process.exitCode = 1;
  }

  @Option({ flags: '--due', description: 'the deleted tenants whose purgeAfter has passed' })
  parseDue(): boolean {
    return true;
  }
}
