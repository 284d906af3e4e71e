import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '../schema-of';

/**
 * Schedules: a cron expression in a time zone and the job each occurrence queues. Like a job, a schedule's
 * session belongs to its target, and deleting the target deletes its schedules. `next_run_at` is set exactly
 * while the schedule is enabled; the scheduler finds due schedules by `schedules_due_idx`.
 */
export class CreateSchedules1764900000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${s}."schedules" (
        "id" uuid PRIMARY KEY,
        "name" varchar(200) NOT NULL,
        "cron" varchar(200) NOT NULL,
        "timezone" varchar(64) NOT NULL,
        "target_id" uuid NOT NULL REFERENCES ${s}."targets" ("id") ON DELETE CASCADE,
        "session_id" uuid,
        "job_type" varchar(100) NOT NULL,
        "job_payload" jsonb NOT NULL DEFAULT '{}',
        "job_priority" smallint NOT NULL CHECK ("job_priority" BETWEEN -100 AND 100),
        "job_max_attempts" integer NOT NULL CHECK ("job_max_attempts" BETWEEN 1 AND 20),
        "enabled" boolean NOT NULL,
        "next_run_at" timestamptz,
        "last_run_at" timestamptz,
        "created_at" timestamptz NOT NULL,
        "updated_at" timestamptz NOT NULL,
        CONSTRAINT "schedules_session_fkey" FOREIGN KEY ("target_id", "session_id")
          REFERENCES ${s}."sessions" ("target_id", "id") ON DELETE CASCADE,
        CONSTRAINT "schedules_next_run_check" CHECK ("enabled" = ("next_run_at" IS NOT NULL))
      )`);
    await queryRunner.query(`CREATE INDEX "schedules_created_at_id_idx" ON ${s}."schedules" ("created_at" DESC, "id" DESC)`);
    await queryRunner.query(`CREATE INDEX "schedules_due_idx" ON ${s}."schedules" ("next_run_at") WHERE "enabled"`);
    // The target's cascading delete.
    await queryRunner.query(`CREATE INDEX "schedules_target_id_idx" ON ${s}."schedules" ("target_id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${schemaOf(queryRunner)}."schedules"`);
  }
}
