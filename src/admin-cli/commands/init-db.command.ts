import { Command } from 'nest-commander';
import { SharedMigrationsService } from '../../database/migrations/shared-migrations.service';
import { CliCommand } from '../cli-command';
import { CliOutput } from '../cli-output.service';

@Command({ name: 'init-db', description: 'Create the shared schema and apply its migrations (idempotent)' })
export class InitDbCommand extends CliCommand {
  constructor(
    private readonly migrations: SharedMigrationsService,
    private readonly out: CliOutput,
  ) {
    super();
  }

  async run(): Promise<void> {
    const applied = await this.migrations.migrate();
    this.out.print(applied.length ? `Applied: ${applied.join(', ')}` : 'Shared schema is up to date.');
  }
}
