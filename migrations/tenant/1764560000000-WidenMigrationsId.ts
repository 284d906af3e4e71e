import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '../schema-of';

/**
 * The schema's own `migrations` table was created with a `serial` (int) id; Citus wants sequence-backed
 * columns bigint. Schemas created since have a bigserial one, for which both statements change nothing.
 */
export class WidenMigrationsId1764560000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}."migrations" ALTER COLUMN "id" TYPE bigint`);
    await queryRunner.query(`ALTER SEQUENCE ${s}."migrations_id_seq" AS bigint`);
  }

  async down(): Promise<void> {
    // Narrowing back would only bring the Citus problem back.
  }
}
