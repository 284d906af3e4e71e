import { Command, Option } from 'nest-commander';
import { JsonCommand } from '../json-command';
import { InvalidInputError } from '../../common/domain-errors';
import { toTenantView } from '../../tenancy/registry/tenant-view';
import { TenantDeletionService } from '../../tenancy/registry/tenant-deletion.service';
import { CliOutput } from '../cli-output.service';

@Command({
  name: 'delete',
  arguments: '<id-or-slug>',
  description: 'Delete a tenant (needs --yes): its keys are refused at once, its data kept until the purge; --purge erases it now',
})
export class DeleteTenantCommand extends JsonCommand {
  constructor(
    private readonly deletion: TenantDeletionService,
    private readonly out: CliOutput,
  ) {
    super();
  }

  async run([idOrSlug]: string[], options: { yes?: boolean; purge?: boolean; json?: boolean }): Promise<void> {
    if (!options.yes) {
      throw new InvalidInputError(
        options.purge
          ? `refusing to erase "${idOrSlug}" and all its data without --yes`
          : `refusing to delete "${idOrSlug}" without --yes`,
      );
    }
    if (options.purge) {
      const tenant = toTenantView(await this.deletion.purge(idOrSlug));
      if (options.json) return this.out.json({ purged: tenant });
      return this.out.print(`Purged tenant ${tenant.slug}: schema ${tenant.schemaName}, its keys and its registry row are gone.`);
    }
    const tenant = toTenantView(await this.deletion.delete(idOrSlug));
    if (options.json) return this.out.json({ deleted: tenant });
    this.out.print(
      `Deleted tenant ${tenant.slug}: its keys are refused from now on. Its data is kept until ${tenant.purgeAfter}; ` +
        `\`restore ${tenant.slug}\` brings it back until then.`,
    );
  }

  @Option({ flags: '--yes', description: 'confirm the deletion' })
  parseYes(): boolean {
    return true;
  }

  @Option({ flags: '--purge', description: 'erase at once (schema, ledger entry, keys, row) instead of a soft delete; also for a deleted tenant' })
  parsePurge(): boolean {
    return true;
  }
}
