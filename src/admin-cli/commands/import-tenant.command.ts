import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Command, Option } from 'nest-commander';
import { InvalidInputError } from '../../common/domain-errors';
import { TenantImportService } from '../../tenancy/lifecycle/tenant-import.service';
import { toTenantView } from '../../tenancy/registry/tenant-view';
import { CliOutput } from '../cli-output.service';
import { keyNotice, tenantLines } from '../format';
import { JsonCommand } from '../json-command';

interface ImportOptions {
  slug?: string;
  name?: string;
  json?: boolean;
}

@Command({
  name: 'import',
  arguments: '<file>',
  description: 'Create a tenant holding exactly the rows of an export archive, and print its key once',
})
export class ImportTenantCommand extends JsonCommand {
  constructor(
    private readonly importer: TenantImportService,
    private readonly out: CliOutput,
  ) {
    super();
  }

  async run([file]: string[], options: ImportOptions): Promise<void> {
    if (!options.slug) throw new InvalidInputError('--slug is required');
    // A directory opens like a file and fails only at its first read, deep in the import: refused here.
    const stats = await stat(file).catch(() => undefined);
    if (stats?.isDirectory()) throw new InvalidInputError(`cannot read ${file}: it is a directory`);
    const input = createReadStream(file);
    await new Promise<void>((resolve, reject) => input.once('open', () => resolve()).once('error', reject)).catch((error: Error) => {
      throw new InvalidInputError(`cannot read ${file}: ${error.message}`);
    });
    try {
      const { tenant, apiKey, tables } = await this.importer.import({ gzipped: input, size: stats?.isFile() ? stats.size : undefined }, options.slug, options.name);
      if (options.json) return this.out.json({ tenant: toTenantView(tenant), apiKey, tables });
      const counts = tables.map((t) => `${t.name} ${t.rows}`).join(', ');
      this.out.print(`Imported tenant ${tenant.slug} (${counts} row(s))\n${tenantLines(toTenantView(tenant))}${keyNotice(apiKey)}`);
    } finally {
      input.destroy();
    }
  }

  @Option({ flags: '--slug <slug>', description: 'slug of the new tenant (required)' })
  parseSlug(value: string): string {
    return value;
  }

  @Option({ flags: '--name <name>', description: "name of the new tenant (default: the archive's)" })
  parseName(value: string): string {
    return value;
  }
}
