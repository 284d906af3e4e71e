import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SHARED_SCHEMA } from '../data-source-options';
import { SHARED_STEPS } from './migration-sets';
import { inTransaction } from '../transaction';
import { applyPendingMigrations, lockSchemaForMigration } from './schema-migrator';

@Injectable()
export class SharedMigrationsService {
  private readonly logger = new Logger('Migrations');

  constructor(private readonly dataSource: DataSource) {}

  /** Creates the `shared` schema if needed and applies its pending migrations; safe to run from many processes. */
  async migrate(): Promise<string[]> {
    const { applied } = await inTransaction(this.dataSource, async (queryRunner) => {
      await lockSchemaForMigration(queryRunner, SHARED_SCHEMA);
      // On Citus with schema-based sharding on, CREATE SCHEMA would make the registry a distributed schema
      // placed on a worker: it stays a local schema on the coordinator. Plain PostgreSQL takes the setting as a
      // placeholder; LOCAL keeps it to this transaction (no session state for a pooler to leak).
      await queryRunner.query(`SET LOCAL citus.enable_schema_based_sharding = off`);
      await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS "${SHARED_SCHEMA}"`);
      return applyPendingMigrations(queryRunner, SHARED_SCHEMA, SHARED_STEPS);
    });
    if (applied.length) this.logger.log(`applied shared migrations: ${applied.join(', ')}`);
    return applied;
  }
}
