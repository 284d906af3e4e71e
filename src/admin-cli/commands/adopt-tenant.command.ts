import { Command, Option } from 'nest-commander';
import { InvalidInputError } from '../../common/domain-errors';
import { TenantAdoptService } from '../../tenancy/lifecycle/tenant-adopt.service';
import { toTenantView } from '../../tenancy/registry/tenant-view';
import { CliOutput } from '../cli-output.service';
import { keyNotice, tenantLines } from '../format';
import { JsonCommand } from '../json-command';

interface AdoptOptions {
  fromSchema?: string;
  json?: boolean;
}

@Command({
  name: 'adopt',
  arguments: '<name> <slug>',
  description:
    'Make an existing schema holding the domain tables (a single-tenant installation) a tenant: shape checked against the tenant migrations, rows kept, key printed once',
})
export class AdoptTenantCommand extends JsonCommand {
  constructor(
    private readonly adopter: TenantAdoptService,
    private readonly out: CliOutput,
  ) {
    super();
  }

  async run([name, slug]: string[], options: AdoptOptions): Promise<void> {
    if (!options.fromSchema) throw new InvalidInputError('--from-schema is required');
    const { tenant, apiKey, tables, fromSchema, method } = await this.adopter.adopt(name, slug, options.fromSchema);
    if (options.json) return this.out.json({ tenant: toTenantView(tenant), apiKey, fromSchema, method, tables });
    const how = method === 'renamed' ? 'schema renamed' : method === 'moved' ? 'tables moved' : 'schema kept in place';
    const counts = tables.map((t) => `  ${t.name.padEnd(12)} ${t.rows}`).join('\n');
    this.out.print(
      `Adopted schema ${fromSchema} as tenant ${tenant.slug} (${how})\n${tenantLines(toTenantView(tenant))}\n\nrows kept:\n${counts}\n${keyNotice(apiKey)}`,
    );
  }

  @Option({ flags: '--from-schema <schema>', description: 'the schema to adopt (required), e.g. public' })
  parseFromSchema(value: string): string {
    return value;
  }
}
