import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Several keys per tenant (`shared.api_keys`), moved from the one-key columns of `shared.tenants` with their
 * hashes unchanged (so every existing key keeps working), and the failed-authentication counters that all
 * instances share (`shared.auth_failures`, UNLOGGED: losing them in a crash only resets the windows).
 */
export class CreateApiKeys1764500000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "shared"."api_keys" (
        "id" varchar(32) PRIMARY KEY,
        "tenant_id" uuid NOT NULL REFERENCES "shared"."tenants" ("id") ON DELETE CASCADE,
        "name" varchar(100) NOT NULL,
        "scopes" text[] NOT NULL,
        "hash" text NOT NULL,
        "check_tag" varchar(8),
        "created_at" timestamptz NOT NULL DEFAULT now(),
        "expires_at" timestamptz,
        "last_used_at" timestamptz,
        "grace_until" timestamptz,
        "revoked_at" timestamptz
      )`);
    // Names are unique among live keys only: a rotated-out key keeps its name through its grace period.
    await queryRunner.query(
      `CREATE UNIQUE INDEX "api_keys_live_name_key" ON "shared"."api_keys" ("tenant_id", "name") WHERE "revoked_at" IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "api_keys_tenant_created_at_id_idx" ON "shared"."api_keys" ("tenant_id", "created_at" DESC, "id" DESC)`,
    );
    // The one key of each tenant, with every scope; its check tag is filled in when it is next verified.
    await queryRunner.query(`
      INSERT INTO "shared"."api_keys" ("id", "tenant_id", "name", "scopes", "hash", "created_at")
      SELECT "api_key_id", "id", 'default', ARRAY['read', 'write', 'worker'], "api_key_hash", "updated_at"
      FROM "shared"."tenants"`);
    await queryRunner.query(`ALTER TABLE "shared"."tenants" DROP COLUMN "api_key_id", DROP COLUMN "api_key_hash"`);
    await queryRunner.query(`
      CREATE UNLOGGED TABLE "shared"."auth_failures" (
        "subject" varchar(200) PRIMARY KEY,
        "failures" integer NOT NULL,
        "window_ends_at" timestamptz NOT NULL,
        "last_failed_at" timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "shared"."auth_failures"`);
    await queryRunner.query(`ALTER TABLE "shared"."tenants" ADD COLUMN "api_key_id" varchar(32), ADD COLUMN "api_key_hash" text`);
    // The newest live key of each tenant goes back; tenants with none keep NULL (their keys were all revoked).
    await queryRunner.query(`
      UPDATE "shared"."tenants" AS t SET "api_key_id" = k."id", "api_key_hash" = k."hash"
      FROM (
        SELECT DISTINCT ON ("tenant_id") "tenant_id", "id", "hash" FROM "shared"."api_keys"
        WHERE "revoked_at" IS NULL ORDER BY "tenant_id", "created_at" DESC
      ) AS k
      WHERE k."tenant_id" = t."id"`);
    await queryRunner.query(`DROP TABLE "shared"."api_keys"`);
  }
}
