import { DynamicModule, Global, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EnvironmentVariables } from '../config/environment-variables';
import { sharedDataSourceOptions } from './data-source-options';
import { DATABASE_URL, DIRECT_DATABASE_URL, ENTITY_CLASSES, EntityClasses } from './database.tokens';
import { SchemaLedgerService } from './migrations/schema-ledger.service';
import { SchemaMetrics } from './migrations/schema-metrics';
import { SharedMigrationsService } from './migrations/shared-migrations.service';
import { TenantMigrationsService } from './migrations/tenant-migrations.service';
import { TenantConnectionProvider } from './tenant-connections/tenant-connection.provider';

@Injectable()
class SharedDataSourceCloser implements OnApplicationShutdown {
  constructor(private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

const EXPORTS = [DATABASE_URL, DIRECT_DATABASE_URL, DataSource, SchemaLedgerService, SharedMigrationsService, TenantMigrationsService, TenantConnectionProvider];

/** The shared-schema DataSource (injected as `DataSource`), the migration ledger and the tenant DataSources. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(databaseUrl: string, entities: EntityClasses): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: DATABASE_URL, useValue: databaseUrl },
        {
          provide: DIRECT_DATABASE_URL,
          inject: [EnvironmentVariables],
          // Only beside an explicit DATABASE_URL: the embedded PostgreSQL is always reached directly.
          useFactory: (config: EnvironmentVariables) => (config.DATABASE_URL && config.DATABASE_DIRECT_URL) || databaseUrl,
        },
        { provide: ENTITY_CLASSES, useValue: entities },
        {
          provide: DataSource,
          inject: [EnvironmentVariables],
          useFactory: (config: EnvironmentVariables) =>
            new DataSource(sharedDataSourceOptions(config, databaseUrl, entities.shared)).initialize(),
        },
        SharedDataSourceCloser,
        SchemaLedgerService,
        SchemaMetrics,
        SharedMigrationsService,
        TenantMigrationsService,
        TenantConnectionProvider,
      ],
      exports: EXPORTS,
    };
  }
}
