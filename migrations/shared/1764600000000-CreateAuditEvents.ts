import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The audit trail of operator actions and key events. No foreign key: a tenant's events outlive its purge. */
export class CreateAuditEvents1764600000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "shared"."audit_events" (
        "id" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        "at" timestamptz NOT NULL DEFAULT now(),
        "actor" varchar(16) NOT NULL CHECK ("actor" IN ('admin-api', 'cli', 'system')),
        "action" varchar(64) NOT NULL,
        "tenant_id" uuid,
        "key_id" varchar(32),
        "request_id" varchar(200),
        "detail" jsonb NOT NULL DEFAULT '{}'
      )`);
    await queryRunner.query(`CREATE INDEX "audit_events_tenant_id_id_idx" ON "shared"."audit_events" ("tenant_id", "id" DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "shared"."audit_events"`);
  }
}
