import { performance } from 'node:perf_hooks';
import { Injectable } from '@nestjs/common';
import type { QueryRunner } from 'typeorm';
import { TENANT_STEPS } from '../../database/migrations/migration-sets';
import { SchemaLedgerService } from '../../database/migrations/schema-ledger.service';
import { applyPendingMigrations, lockSchemaForMigration } from '../../database/migrations/schema-migrator';
import { quoteSchema } from '../../database/schema-name';
import { SpareSchemaPoolService } from './spare-schema-pool.service';

/** Creates and drops tenant schemas inside the caller's transaction, so the registry row and the schema commit together. */
@Injectable()
export class TenantProvisionerService {
  constructor(
    private readonly ledger: SchemaLedgerService,
    private readonly spares: SpareSchemaPoolService,
  ) {}

  /** Claims a spare schema when one is ready (a rename), else builds the schema from the migrations. */
  async createSchema(queryRunner: QueryRunner, schemaName: string): Promise<'spare' | 'migrations'> {
    if (await this.spares.claim(queryRunner, schemaName)) return 'spare';
    await this.createFromMigrations(queryRunner, schemaName);
    return 'migrations';
  }

  private async createFromMigrations(queryRunner: QueryRunner, schemaName: string): Promise<void> {
    const started = performance.now();
    await lockSchemaForMigration(queryRunner, schemaName);
    await queryRunner.query(`CREATE SCHEMA ${quoteSchema(schemaName)}`);
    const { version } = await applyPendingMigrations(queryRunner, schemaName, TENANT_STEPS);
    await this.ledger.recordReady(queryRunner, schemaName, 'tenant', version, performance.now() - started);
  }

  async dropSchema(queryRunner: QueryRunner, schemaName: string): Promise<void> {
    await lockSchemaForMigration(queryRunner, schemaName);
    await queryRunner.query(`DROP SCHEMA IF EXISTS ${quoteSchema(schemaName)} CASCADE`);
    await queryRunner.query(`DELETE FROM "shared"."schema_versions" WHERE "schema_name" = $1`, [schemaName]);
  }
}
