import { Command } from 'nest-commander';
import { JsonCommand } from '../json-command';
import { toTenantView } from '../../tenancy/registry/tenant-view';
import { TenantsService } from '../../tenancy/registry/tenants.service';
import { CliOutput } from '../cli-output.service';
import { keyNotice, tenantLines } from '../format';

@Command({
  name: 'create',
  arguments: '<name> <slug>',
  description: 'Provision a tenant (schema, migrations, API key) and print its key once',
})
export class CreateTenantCommand extends JsonCommand {
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
}
