import type { MigrationInterface, QueryRunner } from 'typeorm';

/** `shared.migrations` was created with a `serial` (int) id; sequence-backed columns are bigint everywhere. */
export class WidenSharedMigrationsId1764560000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "shared"."migrations" ALTER COLUMN "id" TYPE bigint`);
    await queryRunner.query(`ALTER SEQUENCE "shared"."migrations_id_seq" AS bigint`);
  }

  async down(): Promise<void> {
    // Narrowing back would only bring the Citus problem back.
  }
}
