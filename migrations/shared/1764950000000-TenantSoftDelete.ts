import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Soft delete: a deleted tenant keeps its row, schema and keys (refused) until `purge_after`, when the purge
 * removes them. The partial index serves the purge's "which tenants are due" without reading live tenants.
 */
export class TenantSoftDelete1764950000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "shared"."tenants" ADD COLUMN "deleted_at" timestamptz, ADD COLUMN "purge_after" timestamptz`);
    await queryRunner.query(
      `CREATE INDEX "tenants_purge_after_idx" ON "shared"."tenants" ("purge_after") WHERE "purge_after" IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "shared"."tenants_purge_after_idx"`);
    await queryRunner.query(`ALTER TABLE "shared"."tenants" DROP COLUMN "purge_after", DROP COLUMN "deleted_at"`);
  }
}
