import { Command } from 'nest-commander';
import { JsonCommand } from '../json-command';
import { toTenantView } from '../../tenancy/registry/tenant-view';
import { TenantsService } from '../../tenancy/registry/tenants.service';
import { CliOutput } from '../cli-output.service';
import { tenantLines } from '../format';

@Command({ name: 'show', arguments: '<id-or-slug>', description: 'Show one tenant' })
export class ShowTenantCommand extends JsonCommand {
  constructor(
    private readonly tenants: TenantsService,
    private readonly out: CliOutput,
  ) {
    super();
  }

  async run([idOrSlug]: string[], options: { json?: boolean }): Promise<void> {
    const tenant = toTenantView(await this.tenants.get(idOrSlug));
    if (options.json) return this.out.json(tenant);
    this.out.print(tenantLines(tenant));
  }
}
