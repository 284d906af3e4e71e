import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '../config/config.module';
import type { EnvironmentVariables } from '../config/environment-variables';
import { DatabaseModule } from '../database/database.module';
import { ENTITIES } from '../entities';
import { TenancyCoreModule } from '../tenancy/tenancy-core.module';
import { AuditTrail } from '../tenancy/audit/audit-trail.service';
import type { CliCommand } from './cli-command';
import { CliOutput } from './cli-output.service';
import { AdoptTenantCommand } from './commands/adopt-tenant.command';
import { AuditCommand } from './commands/audit.command';
import { KeysCommand, KeysCreateCommand, KeysListCommand, KeysRevokeCommand, KeysRotateCommand } from './commands/keys.command';
import { CreateTenantCommand } from './commands/create-tenant.command';
import { DeleteTenantCommand } from './commands/delete-tenant.command';
import { ExportTenantCommand } from './commands/export-tenant.command';
import { ImportTenantCommand } from './commands/import-tenant.command';
import { InitDbCommand } from './commands/init-db.command';
import { ListTenantsCommand } from './commands/list-tenants.command';
import { MigrateCommand } from './commands/migrate.command';
import { PurgeTenantsCommand } from './commands/purge-tenants.command';
import { RegenerateKeyCommand } from './commands/regenerate-key.command';
import { RestoreTenantCommand } from './commands/restore-tenant.command';
import { ShowTenantCommand } from './commands/show-tenant.command';
import { UpdateTenantCommand } from './commands/update-tenant.command';

export const COMMANDS = [
  InitDbCommand,
  CreateTenantCommand,
  ListTenantsCommand,
  ShowTenantCommand,
  UpdateTenantCommand,
  RegenerateKeyCommand,
  MigrateCommand,
  DeleteTenantCommand,
  RestoreTenantCommand,
  PurgeTenantsCommand,
  KeysCommand,
  KeysListCommand,
  KeysCreateCommand,
  KeysRevokeCommand,
  KeysRotateCommand,
  AuditCommand,
  ExportTenantCommand,
  ImportTenantCommand,
  AdoptTenantCommand,
];

/** The admin CLI: thin commands over the same services the HTTP API uses. */
@Module({})
export class CliModule {
  constructor(audit: AuditTrail) {
    // Changes made through the CLI are audited as its own.
    audit.actorOutsideRequests = 'cli';
  }

  static register({ config, databaseUrl }: { config: EnvironmentVariables; databaseUrl: string }): DynamicModule {
    return {
      module: CliModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(databaseUrl, ENTITIES), TenancyCoreModule],
      providers: [CliOutput, ...COMMANDS],
    };
  }
}

/**
 * The same commands with nothing behind them, for reading a command line without a database (src/cli.ts): each is
 * built with no dependencies and its run() replaced by `onRun`, so commander prints --help and refuses a usage
 * error as it does with CliModule, and nothing is connected. A command whose run() needs no database
 * (CliCommand.usesDatabase) keeps it.
 */
@Module({})
export class CliCommandLineModule {
  static register(onRun: () => void): DynamicModule {
    return {
      module: CliCommandLineModule,
      providers: COMMANDS.map((command) => ({
        provide: command,
        useFactory: () => {
          // Their constructors only keep what they are given; options are parsed by methods that use none of it.
          const instance: CliCommand = Reflect.construct(command, []);
          if (instance.usesDatabase) instance.run = async () => onRun();
          return instance;
        },
      })),
    };
  }
}
