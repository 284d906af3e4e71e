import { Command, Option } from 'nest-commander';
import { JsonCommand } from '../json-command';
import { InvalidInputError } from '../../common/domain-errors';
import { toTenantView } from '../../tenancy/registry/tenant-view';
import { TenantsService } from '../../tenancy/registry/tenants.service';
import { CliOutput } from '../cli-output.service';
import { tenantLines } from '../format';

interface UpdateOptions {
  name?: string;
  activate?: boolean;
  deactivate?: boolean;
  json?: boolean;
}

@Command({ name: 'update', arguments: '<id-or-slug>', description: 'Rename, activate or deactivate a tenant' })
export class UpdateTenantCommand extends JsonCommand {
  constructor(
    private readonly tenants: TenantsService,
    private readonly out: CliOutput,
  ) {
    super();
  }

  async run([idOrSlug]: string[], options: UpdateOptions): Promise<void> {
    if (options.activate && options.deactivate) throw new InvalidInputError('use either --activate or --deactivate');
    if (options.name === undefined && !options.activate && !options.deactivate) {
      throw new InvalidInputError('nothing to change: pass --name, --activate or --deactivate');
    }
    const isActive = options.activate ? true : options.deactivate ? false : undefined;
    const tenant = toTenantView(await this.tenants.update(idOrSlug, { name: options.name, isActive }));
    if (options.json) return this.out.json(tenant);
    this.out.print(`Updated tenant ${tenant.slug}\n${tenantLines(tenant)}`);
  }

  @Option({ flags: '--name <name>', description: 'new display name' })
  parseName(value: string): string {
    return value;
  }

  @Option({ flags: '--activate', description: 'let the tenant use its key again' })
  parseActivate(): boolean {
    return true;
  }

  @Option({ flags: '--deactivate', description: 'refuse the tenant (403) at once, on every instance' })
  parseDeactivate(): boolean {
    return true;
  }
}
