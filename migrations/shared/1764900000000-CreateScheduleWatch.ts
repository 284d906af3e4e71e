import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The tenants that have enabled schedules, and when their earliest one is due: the scheduler reads this one
 * small table per tick instead of every tenant schema. Schedule writes lower `run_at` (the earliest wins);
 * the scheduler moves it on or deletes the row, guarded by `version` against a concurrent write.
 */
export class CreateScheduleWatch1764900000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "shared"."schedule_watch" (
        "tenant_id" uuid PRIMARY KEY REFERENCES "shared"."tenants" ("id") ON DELETE CASCADE,
        "run_at" timestamptz NOT NULL,
        "version" bigint NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX "schedule_watch_run_at_idx" ON "shared"."schedule_watch" ("run_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "shared"."schedule_watch"`);
  }
}
