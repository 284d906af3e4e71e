import type { MigrationInterface, QueryRunner } from 'typeorm';
import { quoteSchema } from '../schema-name';

export type MigrationClass = new () => MigrationInterface;

// Namespace of our advisory locks (first key of the two-int form); the second is a hash of the schema name.
const MIGRATION_LOCK_CLASS = 7_411_001;

export interface MigrationStep {
  name: string;
  timestamp: number;
  migration: MigrationInterface;
}

/** The 13-digit timestamp that ends a migration name (TypeORM's convention); 0 for none. */
export function versionTimestamp(version: string | null): number {
  return Number(/(\d{13})$/.exec(version ?? '')?.[1] ?? 0);
}

/** Instances in apply order; the timestamp is the 13-digit suffix of the class name, as in TypeORM. */
export function migrationSteps(classes: MigrationClass[]): MigrationStep[] {
  return classes
    .map((Class) => {
      const migration = new Class();
      const name = migration.name ?? Class.name;
      const timestamp = versionTimestamp(name);
      if (timestamp === 0) throw new Error(`migration ${name} must end with a 13-digit timestamp`);
      return { name, timestamp, migration };
    })
    .sort((a, b) => a.timestamp - b.timestamp);
}

export function latestVersion(steps: MigrationStep[]): string | null {
  return steps.length ? steps[steps.length - 1].name : null;
}

/**
 * Applies the pending migrations of one schema inside the caller's transaction, under a transaction-level
 * advisory lock for that schema so two runners never migrate it at once. Each schema records what it has
 * applied in its own `migrations` table (TypeORM's layout, with a bigint id: Citus wants sequence-backed
 * columns bigint; tables created before that are widened by the WidenMigrationsId migrations).
 */
export async function applyPendingMigrations(
  queryRunner: QueryRunner,
  schema: string,
  steps: MigrationStep[],
): Promise<{ applied: string[]; version: string | null }> {
  if (!queryRunner.isTransactionActive) throw new Error('applyPendingMigrations needs an open transaction');
  const quoted = quoteSchema(schema);
  await lockSchemaForMigration(queryRunner, schema);
  await createMigrationsTable(queryRunner, quoted);
  const rows: Array<{ name: string }> = await queryRunner.query(`SELECT "name" FROM ${quoted}."migrations"`);
  const done = new Set(rows.map((r) => r.name));
  const applied: string[] = [];
  const previousData = queryRunner.data;
  queryRunner.data = { ...previousData, schema };
  try {
    for (const step of steps) {
      if (done.has(step.name)) continue;
      await step.migration.up(queryRunner);
      await queryRunner.query(`INSERT INTO ${quoted}."migrations" ("timestamp", "name") VALUES ($1, $2)`, [
        step.timestamp,
        step.name,
      ]);
      applied.push(step.name);
    }
  } finally {
    queryRunner.data = previousData;
  }
  const version = steps.filter((s) => done.has(s.name) || applied.includes(s.name)).at(-1)?.name ?? null;
  return { applied, version };
}

/**
 * Records `steps` as applied without running them, for a schema whose tables already have the shape they build
 * (an adopted schema, checked against the migrations first). Returns the version the schema is then at.
 */
export async function recordAsApplied(queryRunner: QueryRunner, schema: string, steps: MigrationStep[]): Promise<string | null> {
  if (!queryRunner.isTransactionActive) throw new Error('recordAsApplied needs an open transaction');
  const quoted = quoteSchema(schema);
  await lockSchemaForMigration(queryRunner, schema);
  await createMigrationsTable(queryRunner, quoted);
  const rows: Array<{ name: string }> = await queryRunner.query(`SELECT "name" FROM ${quoted}."migrations"`);
  const done = new Set(rows.map((r) => r.name));
  for (const step of steps) {
    if (done.has(step.name)) continue;
    await queryRunner.query(`INSERT INTO ${quoted}."migrations" ("timestamp", "name") VALUES ($1, $2)`, [step.timestamp, step.name]);
  }
  return latestVersion(steps);
}

function createMigrationsTable(queryRunner: QueryRunner, quoted: string): Promise<unknown> {
  return queryRunner.query(
    `CREATE TABLE IF NOT EXISTS ${quoted}."migrations" ("id" bigserial PRIMARY KEY, "timestamp" bigint NOT NULL, "name" varchar NOT NULL)`,
  );
}

/** Transaction-scoped lock on one schema's migrations; re-entrant within the same transaction. */
export async function lockSchemaForMigration(queryRunner: QueryRunner, schema: string): Promise<void> {
  await queryRunner.query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [MIGRATION_LOCK_CLASS, schema]);
}
