import { Command, Option } from 'nest-commander';
import { JsonCommand } from '../json-command';
import { InvalidInputError } from '../../common/domain-errors';
import { toTenantView } from '../../tenancy/registry/tenant-view';
import { TenantsService } from '../../tenancy/registry/tenants.service';
import { CliOutput } from '../cli-output.service';

@Command({
  name: 'delete',
  arguments: '<id-or-slug>',
  description: "Drop a tenant's schema, ledger entry and registry row (needs --yes)",
})
export class DeleteTenantCommand extends JsonCommand {
  constructor(
    private readonly tenants: TenantsService,
    private readonly out: CliOutput,
  ) {
    super();
  }

  async run([idOrSlug]: string[], options: { yes?: boolean; json?: boolean }): Promise<void> {
    if (!options.yes) throw new InvalidInputError(`refusing to delete "${idOrSlug}" and all its data without --yes`);
    const tenant = toTenantView(await this.tenants.delete(idOrSlug));
    if (options.json) return this.out.json({ deleted: tenant });
    this.out.print(`Deleted tenant ${tenant.slug} and schema ${tenant.schemaName}.`);
  }

  @Option({ flags: '--yes', description: 'confirm: this destroys all of the tenant data' })
  parseYes(): boolean {
    return true;
  }
}
