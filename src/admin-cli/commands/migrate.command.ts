import { SingleBar } from 'cli-progress';
import { Command, Option } from 'nest-commander';
import { JsonCommand } from '../json-command';
import { InvalidInputError } from '../../common/domain-errors';
import { MigrateSummary, SchemaMigrationResult, TenantMigrationsService } from '../../database/migrations/tenant-migrations.service';
import { SpareSchemaPoolService } from '../../tenancy/registry/spare-schema-pool.service';
import { TenantsService } from '../../tenancy/registry/tenants.service';
import { CliOutput } from '../cli-output.service';
import { MigrationsFailedError, printCheckReport } from '../migrate-check';

interface MigrateCommandOptions {
  tenant?: string[];
  concurrency?: number;
  check?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

@Command({
  name: 'migrate',
  description: 'Apply shared migrations, then tenant migrations to every schema that is behind',
})
export class MigrateCommand extends JsonCommand {
  protected override readonly repeatableOptions = ['tenant'];
  // --check only reads the ledger: it migrates nothing, so a concurrency for migrating would be ignored.
  protected override readonly conflictingOptions = [['check', 'dryRun'], ['check', 'concurrency']] as const;

  constructor(
    private readonly migrations: TenantMigrationsService,
    private readonly tenants: TenantsService,
    private readonly spares: SpareSchemaPoolService,
    private readonly out: CliOutput,
  ) {
    super();
  }

  async run(_args: string[], options: MigrateCommandOptions): Promise<void> {
    const schemaNames = options.tenant?.length
      ? await Promise.all(options.tenant.map(async (slug) => (await this.tenants.get(slug)).schemaName))
      : undefined;
    if (options.check) {
      return printCheckReport(await this.migrations.check({ schemaNames }), Boolean(options.json), this.out, schemaNames !== undefined);
    }
    const progress = this.progress(options);
    const summary = await this.migrations.migrate({
      schemaNames,
      concurrency: options.concurrency,
      dryRun: options.dryRun,
      onResult: progress.onResult,
    });
    progress.stop();
    const refilled = options.dryRun ? 0 : await this.spares.refill();
    this.report(summary, options);
    if (refilled && !options.json) this.out.print(`Spare schema pool: created ${refilled}`);
    if (summary.failed > 0) throw new MigrationsFailedError(`${summary.failed} schema(s) failed to migrate`);
  }

  private progress(options: MigrateCommandOptions) {
    if (options.json) return { onResult: undefined, stop: () => undefined };
    const stream = this.out.progressStream;
    if (stream.isTTY) {
      const bar = new SingleBar({ format: 'migrating [{bar}] {value}/{total} {schema}', hideCursor: true, stream });
      let started = false;
      return {
        onResult: (result: SchemaMigrationResult, done: number, total: number) => {
          if (!started) bar.start(total, 0, { schema: '' });
          started = true;
          bar.update(done, { schema: result.schemaName });
        },
        stop: () => started && bar.stop(),
      };
    }
    return {
      onResult: (result: SchemaMigrationResult, done: number, total: number) =>
        this.out.print(`[${done}/${total}] ${result.schemaName}: ${result.status}${result.error ? ` (${result.error})` : ''}`),
      stop: () => undefined,
    };
  }

  private report(summary: MigrateSummary, options: MigrateCommandOptions): void {
    if (options.json) return this.out.json(summary);
    const verb = options.dryRun ? 'would apply' : 'applied';
    this.out.print(summary.shared.length ? `Shared: ${verb} ${summary.shared.join(', ')}` : 'Shared: up to date');
    const counts = new Map<string, number>();
    for (const result of summary.results) {
      counts.set(result.status, (counts.get(result.status) ?? 0) + 1);
      if (result.status === 'failed') this.out.error(`failed  ${result.schemaName}: ${result.error}`);
      if (options.dryRun) this.out.print(`${result.schemaName}: ${verb} ${result.applied.join(', ')}`);
    }
    const parts = [...counts].map(([status, n]) => `${n} ${status}`);
    this.out.print(`Tenant schemas: ${parts.length ? parts.join(', ') : 'all up to date'}`);
  }

  @Option({ flags: '--tenant <slug>', description: 'only this tenant, with --check and --dry-run too (repeat for several)' })
  parseTenant(value: string, previous: string[] = []): string[] {
    return [...previous, value];
  }

  @Option({ flags: '--concurrency <n>', description: 'schemas migrated at once (default from the connection budget)' })
  parseConcurrency(value: string): number {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidInputError('--concurrency must be an integer from 1 to 64');
    return n;
  }

  @Option({ flags: '--check', description: 'only report; exit non-zero when any schema is behind or failed' })
  parseCheck(): boolean {
    return true;
  }

  @Option({ flags: '--dry-run', description: 'list what would run, change nothing' })
  parseDryRun(): boolean {
    return true;
  }
}
