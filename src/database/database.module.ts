import { DynamicModule, Global, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EnvironmentVariables } from '../config/environment-variables';
import { sharedDataSourceOptions } from './data-source-options';
import { DATABASE_URL } from './database.tokens';
import { SchemaLedgerService } from './schema-ledger.service';
import { SharedMigrationsService } from './shared-migrations.service';
import { TenantMigrationsService } from './tenant-migrations.service';

@Injectable()
class SharedDataSourceCloser implements OnApplicationShutdown {
  constructor(private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** The shared-schema DataSource (injected as `DataSource`) and the migration ledger. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(databaseUrl: string): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        { provide: DATABASE_URL, useValue: databaseUrl },
        {
          provide: DataSource,
          inject: [EnvironmentVariables],
          useFactory: (config: EnvironmentVariables) =>
            new DataSource(sharedDataSourceOptions(config, databaseUrl)).initialize(),
        },
        SharedDataSourceCloser,
        SchemaLedgerService,
        SharedMigrationsService,
        TenantMigrationsService,
      ],
      exports: [DATABASE_URL, DataSource, SchemaLedgerService, SharedMigrationsService, TenantMigrationsService],
    };
  }
}
