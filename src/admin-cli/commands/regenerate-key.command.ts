import { Command } from 'nest-commander';
import { JsonCommand } from '../json-command';
import { toTenantView } from '../../tenancy/registry/tenant-view';
import { TenantsService } from '../../tenancy/registry/tenants.service';
import { CliOutput } from '../cli-output.service';
import { keyNotice } from '../format';

@Command({
  name: 'regenerate-key',
  arguments: '<id-or-slug>',
  description: 'For a compromised tenant: revoke every key of the tenant and issue one new key with every scope',
})
export class RegenerateKeyCommand extends JsonCommand {
  constructor(
    private readonly tenants: TenantsService,
    private readonly out: CliOutput,
  ) {
    super();
  }

  async run([idOrSlug]: string[], options: { json?: boolean }): Promise<void> {
    const { tenant, apiKey } = await this.tenants.regenerateKey(idOrSlug);
    if (options.json) return this.out.json({ tenant: toTenantView(tenant), apiKey });
    this.out.print(`New key for ${tenant.slug}; every earlier key of the tenant no longer works.${keyNotice(apiKey)}`);
  }
}
