import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The tenants that may hold running jobs, and when their earliest lease ends: the lease sweeper reads this
 * one small table per tick instead of every tenant schema. Claims write it (the earliest lease wins); the
 * sweeper moves `check_at` on or deletes the row, guarded by `version` against a concurrent claim.
 */
export class CreateJobLeaseWatch1764700000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "shared"."job_lease_watch" (
        "tenant_id" uuid PRIMARY KEY REFERENCES "shared"."tenants" ("id") ON DELETE CASCADE,
        "check_at" timestamptz NOT NULL,
        "version" bigint NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX "job_lease_watch_check_at_idx" ON "shared"."job_lease_watch" ("check_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "shared"."job_lease_watch"`);
  }
}
