import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { DataSource, QueryRunner } from 'typeorm';
import { EnvironmentVariables } from '../../config/environment-variables';
import { LATEST_TENANT_VERSION, TENANT_STEPS } from '../../database/migrations/migration-sets';
import { SchemaLedgerService } from '../../database/migrations/schema-ledger.service';
import { applyPendingMigrations, lockSchemaForMigration } from '../../database/migrations/schema-migrator';
import { quoteSchema } from '../../database/schema-name';
import { inTransaction } from '../../database/transaction';

const SPARE_PREFIX = 'spare_';
const REFILL_LOCK = 'tenantry:spare-pool-refill';

/**
 * A few spare schemas kept at the latest tenant migration, so creating a tenant is a rename instead of a
 * replay of every migration. Spares are ordinary ledger entries (kind `spare`): `migrate` upgrades them like
 * tenants, and one that is behind is simply not claimed.
 */
@Injectable()
export class SpareSchemaPoolService implements OnApplicationShutdown {
  private readonly logger = new Logger(SpareSchemaPoolService.name);
  private background = false;
  private refilling?: Promise<number>;

  constructor(
    private readonly config: EnvironmentVariables,
    private readonly dataSource: DataSource,
    private readonly ledger: SchemaLedgerService,
  ) {}

  /** The server refills in the background after start-up and after each claim; the CLI does not. */
  startBackgroundRefill(): void {
    this.background = true;
    this.scheduleRefill();
  }

  scheduleRefill(): void {
    if (!this.background || this.config.SPARE_SCHEMA_POOL_SIZE === 0) return;
    this.refill().catch((error: Error) => this.logger.warn(`spare schema refill failed: ${error.message}`));
  }

  onApplicationShutdown(): Promise<unknown> | undefined {
    this.background = false;
    return this.refilling?.catch(() => undefined);
  }

  /**
   * Inside the provisioning transaction: takes a ready spare at the latest version and renames it to
   * `schemaName`. Returns false when the pool is empty (the caller then builds the schema from migrations).
   */
  async claim(queryRunner: QueryRunner, schemaName: string): Promise<boolean> {
    if (this.config.SPARE_SCHEMA_POOL_SIZE === 0) return false;
    const rows: Array<{ schema_name: string }> = await queryRunner.query(
      `SELECT "schema_name" FROM "shared"."schema_versions"
        WHERE "kind" = 'spare' AND "state" = 'ready' AND "version" IS NOT DISTINCT FROM $1
        ORDER BY "schema_name" LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [LATEST_TENANT_VERSION],
    );
    if (rows.length === 0) return false;
    const spare = rows[0].schema_name;
    await lockSchemaForMigration(queryRunner, spare);
    await lockSchemaForMigration(queryRunner, schemaName);
    await queryRunner.query(`ALTER SCHEMA ${quoteSchema(spare)} RENAME TO ${quoteSchema(schemaName)}`);
    await queryRunner.query(
      `UPDATE "shared"."schema_versions" SET "schema_name" = $2, "kind" = 'tenant', "updated_at" = now() WHERE "schema_name" = $1`,
      [spare, schemaName],
    );
    return true;
  }

  /** Tops the pool up to SPARE_SCHEMA_POOL_SIZE; one refill at a time per process, and across instances. */
  refill(): Promise<number> {
    this.refilling ??= this.fill().finally(() => (this.refilling = undefined));
    return this.refilling;
  }

  async count(): Promise<number> {
    const rows: Array<{ n: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS "n" FROM "shared"."schema_versions"
        WHERE "kind" = 'spare' AND "state" = 'ready' AND "version" IS NOT DISTINCT FROM $1`,
      [LATEST_TENANT_VERSION],
    );
    return rows[0].n;
  }

  private async fill(): Promise<number> {
    let created = 0;
    for (;;) {
      const made = await inTransaction(this.dataSource, async (queryRunner) => {
        const [{ locked }] = await queryRunner.query(`SELECT pg_try_advisory_xact_lock(hashtext($1)) AS "locked"`, [REFILL_LOCK]);
        if (!locked) return false;
        const [{ n }] = await queryRunner.query(
          `SELECT count(*)::int AS "n" FROM "shared"."schema_versions" WHERE "kind" = 'spare' AND "state" = 'ready'`,
        );
        if (n >= this.config.SPARE_SCHEMA_POOL_SIZE) return false;
        await this.createSpare(queryRunner);
        return true;
      });
      if (!made) return created;
      created += 1;
    }
  }

  private async createSpare(queryRunner: QueryRunner): Promise<void> {
    const started = performance.now();
    const schemaName = SPARE_PREFIX + randomBytes(8).toString('hex');
    await lockSchemaForMigration(queryRunner, schemaName);
    await queryRunner.query(`CREATE SCHEMA ${quoteSchema(schemaName)}`);
    const { version } = await applyPendingMigrations(queryRunner, schemaName, TENANT_STEPS);
    await this.ledger.recordReady(queryRunner, schemaName, 'spare', version, performance.now() - started);
  }
}
