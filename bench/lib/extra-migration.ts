import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '../../migrations/schema-of';
import type { MigrationStep } from '../../src/database/migrations/schema-migrator';

/** Far in the future, so it sorts after every real tenant migration. */
const TIMESTAMP = 4102444800000;

/** A typical schema change: one nullable column and an index on it, in every tenant schema. */
class BenchAddNoteColumn implements MigrationInterface {
  readonly name = `BenchAddNoteColumn${TIMESTAMP}`;
  constructor(private readonly table: string) {}

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE ${schema}."${this.table}" ADD COLUMN "bench_note" text`);
    await queryRunner.query(`CREATE INDEX "${this.table}_bench_note_idx" ON ${schema}."${this.table}" ("bench_note")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE ${schema}."${this.table}" DROP COLUMN "bench_note"`);
  }
}

export function benchMigrationStep(table: string): MigrationStep {
  const migration = new BenchAddNoteColumn(table);
  return { name: migration.name, timestamp: TIMESTAMP, migration };
}
