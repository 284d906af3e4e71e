import { Command } from 'nest-commander';
import { JsonCommand } from '../json-command';
import { toTenantView } from '../../tenancy/registry/tenant-view';
import { TenantsService } from '../../tenancy/registry/tenants.service';
import { CliOutput } from '../cli-output.service';
import { keyNotice } from '../format';

@Command({
  name: 'regenerate-key',
  arguments: '<id-or-slug>',
  description: 'Issue a new API key; the old one is refused from now on',
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
    this.out.print(`New key for ${tenant.slug}; the old key no longer works.${keyNotice(apiKey)}`);
  }
}
