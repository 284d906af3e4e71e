import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateTenantRegistry1764300000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "shared"."tenants" (
        "id" uuid PRIMARY KEY,
        "name" varchar(200) NOT NULL,
        "slug" varchar(48) NOT NULL CONSTRAINT "tenants_slug_key" UNIQUE,
        "schema_name" varchar(63) NOT NULL CONSTRAINT "tenants_schema_name_key" UNIQUE,
        "is_active" boolean NOT NULL DEFAULT true,
        "api_key_id" varchar(32) NOT NULL CONSTRAINT "tenants_api_key_id_key" UNIQUE,
        "api_key_hash" text NOT NULL,
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX "tenants_created_at_id_idx" ON "shared"."tenants" ("created_at" DESC, "id" DESC)`);
    await queryRunner.query(`
      CREATE TABLE "shared"."schema_versions" (
        "schema_name" varchar(63) PRIMARY KEY,
        "kind" varchar(10) NOT NULL CHECK ("kind" IN ('tenant', 'spare')),
        "version" varchar(255),
        "state" varchar(16) NOT NULL CHECK ("state" IN ('ready', 'migrating', 'failed')),
        "error" text,
        "last_duration_ms" integer,
        "migrated_at" timestamptz,
        "updated_at" timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX "schema_versions_kind_state_idx" ON "shared"."schema_versions" ("kind", "state")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "shared"."schema_versions"`);
    await queryRunner.query(`DROP TABLE "shared"."tenants"`);
  }
}
