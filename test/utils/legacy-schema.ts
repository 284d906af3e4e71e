import { TENANT_STEPS } from '../../src/database/migrations/migration-sets';
import { applyPendingMigrations } from '../../src/database/migrations/schema-migrator';
import { DOMAIN_TABLES } from './domain-fixtures';
import type { TestApp } from './test-app';

/**
 * A schema as a single-tenant installation has it, for adopt: built by the tenant migrations (their own
 * `migrations` table included), optionally holding a copy of another schema's rows. `before` runs first in the
 * same transaction, with `$schema` standing for the quoted schema (a ledger of the installation's own …).
 */
export async function legacySchema(t: TestApp, schema: string, options: { rowsFrom?: string; before?: string[] } = {}): Promise<string> {
  const queryRunner = t.db.createQueryRunner();
  await queryRunner.connect();
  await queryRunner.startTransaction();
  try {
    if (schema !== 'public') await queryRunner.query(`CREATE SCHEMA "${schema}"`);
    for (const sql of options.before ?? []) await queryRunner.query(sql.replace(/\$schema/g, `"${schema}"`));
    await applyPendingMigrations(queryRunner, schema, TENANT_STEPS);
    for (const table of options.rowsFrom ? DOMAIN_TABLES : []) {
      await queryRunner.query(`INSERT INTO "${schema}"."${table}" SELECT * FROM "${options.rowsFrom}"."${table}"`);
    }
    await queryRunner.commitTransaction();
  } finally {
    if (queryRunner.isTransactionActive) await queryRunner.rollbackTransaction();
    await queryRunner.release();
  }
  return schema;
}
