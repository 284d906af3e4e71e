import { Command, CommandRunner, Option } from 'nest-commander';
import { toTenantView } from '../../tenancy/tenant-view';
import { TenantsService } from '../../tenancy/tenants.service';
import { CliOutput } from '../cli-output.service';
import { tenantLines } from '../format';

@Command({ name: 'show', arguments: '<id-or-slug>', description: 'Show one tenant' })
export class ShowTenantCommand extends CommandRunner {
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

  @Option({ flags: '--json', description: 'print JSON' })
  parseJson(): boolean {
    return true;
  }
}
