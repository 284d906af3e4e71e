import { Command } from 'nest-commander';
import { JsonCommand } from '../json-command';
import { toTenantView } from '../../tenancy/registry/tenant-view';
import { TenantDeletionService } from '../../tenancy/registry/tenant-deletion.service';
import { CliOutput } from '../cli-output.service';

@Command({ name: 'restore', arguments: '<id-or-slug>', description: 'Bring a deleted tenant back, with its keys, before its purge' })
export class RestoreTenantCommand extends JsonCommand {
  constructor(
    private readonly deletion: TenantDeletionService,
    private readonly out: CliOutput,
  ) {
    super();
  }

  async run([idOrSlug]: string[], options: { json?: boolean }): Promise<void> {
    const tenant = toTenantView(await this.deletion.restore(idOrSlug));
    if (options.json) return this.out.json(tenant);
    this.out.print(`Restored tenant ${tenant.slug}: its keys work again.`);
  }
}
