import { Command, Option } from 'nest-commander';
import { JsonCommand } from '../json-command';
import { toTenantView } from '../../tenancy/registry/tenant-view';
import { TenantsService } from '../../tenancy/registry/tenants.service';
import { TenantImportService } from '../../tenancy/lifecycle/tenant-import.service';
import { CliOutput } from '../cli-output.service';
import { keyNotice, tenantLines } from '../format';

@Command({
  name: 'create',
  arguments: '<name> <slug>',
  description: 'Provision a tenant (schema, migrations, API key) and print its key once; --from copies another tenant',
})
export class CreateTenantCommand extends JsonCommand {
  constructor(
    private readonly tenants: TenantsService,
    private readonly importer: TenantImportService,
    private readonly out: CliOutput,
  ) {
    super();
  }

  async run([name, slug]: string[], options: { json?: boolean; from?: string }): Promise<void> {
    const { tenant, apiKey } = options.from
      ? await this.importer.clone(name, slug, options.from)
      : await this.tenants.create(name, slug);
    if (options.json) return this.out.json({ tenant: toTenantView(tenant), apiKey });
    this.out.print(`Created tenant ${tenant.slug}\n${tenantLines(toTenantView(tenant))}${keyNotice(apiKey)}`);
  }

  @Option({ flags: '--from <id-or-slug>', description: "start with a copy of this tenant's data, taken at one instant" })
  parseFrom(value: string): string {
    return value;
  }
}
