import { Command, CommandRunner, Option } from 'nest-commander';
import { toTenantView } from '../../tenancy/tenant-view';
import { TenantsService } from '../../tenancy/tenants.service';
import { CliOutput } from '../cli-output.service';
import { keyNotice, tenantLines } from '../format';

@Command({
  name: 'create',
  arguments: '<name> <slug>',
  description: 'Provision a tenant (schema, migrations, API key) and print its key once',
})
export class CreateTenantCommand extends CommandRunner {
  constructor(
    private readonly tenants: TenantsService,
    private readonly out: CliOutput,
  ) {
    super();
  }

  async run([name, slug]: string[], options: { json?: boolean }): Promise<void> {
    const { tenant, apiKey } = await this.tenants.create(name, slug);
    if (options.json) return this.out.json({ tenant: toTenantView(tenant), apiKey });
    this.out.print(`Created tenant ${tenant.slug}\n${tenantLines(toTenantView(tenant))}${keyNotice(apiKey)}`);
  }

  @Option({ flags: '--json', description: 'print JSON (includes the API key)' })
  parseJson(): boolean {
    return true;
  }
}
