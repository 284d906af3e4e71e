import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '../schema-of';

/**
 * Targets, sessions, jobs and job logs of one tenant schema. Every foreign key stays inside the schema and
 * cascades target → sessions / jobs → logs. Lists are keyset-paginated on `(created_at DESC, id DESC)`, so
 * each list filter has an index ending in that order; `claim` and the lease sweep have partial indexes.
 */
export class CreateDomainTables1764400000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    const statements = [
      `CREATE TABLE ${s}."targets" (
        "id" uuid PRIMARY KEY,
        "name" varchar(200) NOT NULL,
        "kind" varchar(50) NOT NULL,
        "address" varchar(2048) NOT NULL,
        "tags" text[] NOT NULL DEFAULT '{}',
        "metadata" jsonb NOT NULL DEFAULT '{}',
        "created_at" timestamptz NOT NULL,
        "updated_at" timestamptz NOT NULL,
        CONSTRAINT "targets_name_key" UNIQUE ("name")
      )`,
      `CREATE INDEX "targets_created_at_id_idx" ON ${s}."targets" ("created_at" DESC, "id" DESC)`,
      `CREATE INDEX "targets_kind_created_at_id_idx" ON ${s}."targets" ("kind", "created_at" DESC, "id" DESC)`,
      `CREATE INDEX "targets_tags_idx" ON ${s}."targets" USING gin ("tags")`,

      `CREATE TABLE ${s}."sessions" (
        "id" uuid PRIMARY KEY,
        "target_id" uuid NOT NULL REFERENCES ${s}."targets" ("id") ON DELETE CASCADE,
        "status" varchar(16) NOT NULL CHECK ("status" IN ('active', 'closed')),
        "metadata" jsonb NOT NULL DEFAULT '{}',
        "expires_at" timestamptz,
        "closed_at" timestamptz,
        "created_at" timestamptz NOT NULL,
        "updated_at" timestamptz NOT NULL,
        CONSTRAINT "sessions_target_id_id_key" UNIQUE ("target_id", "id")
      )`,
      `CREATE INDEX "sessions_created_at_id_idx" ON ${s}."sessions" ("created_at" DESC, "id" DESC)`,
      `CREATE INDEX "sessions_target_id_created_at_id_idx" ON ${s}."sessions" ("target_id", "created_at" DESC, "id" DESC)`,
      `CREATE INDEX "sessions_status_created_at_id_idx" ON ${s}."sessions" ("status", "created_at" DESC, "id" DESC)`,

      `CREATE TABLE ${s}."jobs" (
        "id" uuid PRIMARY KEY,
        "target_id" uuid NOT NULL REFERENCES ${s}."targets" ("id") ON DELETE CASCADE,
        "session_id" uuid,
        "type" varchar(100) NOT NULL,
        "payload" jsonb NOT NULL DEFAULT '{}',
        "status" varchar(16) NOT NULL CHECK ("status" IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
        "priority" smallint NOT NULL DEFAULT 0 CHECK ("priority" BETWEEN -100 AND 100),
        "attempts" integer NOT NULL DEFAULT 0 CHECK ("attempts" >= 0),
        "max_attempts" integer NOT NULL CHECK ("max_attempts" BETWEEN 1 AND 20),
        "run_at" timestamptz NOT NULL,
        "worker_id" varchar(200),
        "lease_expires_at" timestamptz,
        "result" jsonb,
        "error" text,
        "idempotency_key" varchar(200),
        "request_hash" varchar(64),
        "log_seq" integer NOT NULL DEFAULT 0,
        "created_at" timestamptz NOT NULL,
        "updated_at" timestamptz NOT NULL,
        "started_at" timestamptz,
        "finished_at" timestamptz,
        -- A job's session belongs to the job's target: enforced by the database, not only by the service.
        CONSTRAINT "jobs_session_fkey" FOREIGN KEY ("target_id", "session_id")
          REFERENCES ${s}."sessions" ("target_id", "id") ON DELETE CASCADE,
        CONSTRAINT "jobs_lease_check" CHECK (("status" = 'running') = ("lease_expires_at" IS NOT NULL AND "worker_id" IS NOT NULL))
      )`,
      `CREATE UNIQUE INDEX "jobs_idempotency_key_key" ON ${s}."jobs" ("idempotency_key") WHERE "idempotency_key" IS NOT NULL`,
      // claim: the next due job, optionally of given types; the lease sweep: running jobs by lease expiry.
      `CREATE INDEX "jobs_queued_idx" ON ${s}."jobs" ("priority" DESC, "run_at", "id") WHERE "status" = 'queued'`,
      `CREATE INDEX "jobs_queued_type_idx" ON ${s}."jobs" ("type", "priority" DESC, "run_at", "id") WHERE "status" = 'queued'`,
      `CREATE INDEX "jobs_running_lease_idx" ON ${s}."jobs" ("lease_expires_at") WHERE "status" = 'running'`,
      // lists, one per filter (the target and session ones also serve the cascading deletes).
      `CREATE INDEX "jobs_created_at_id_idx" ON ${s}."jobs" ("created_at" DESC, "id" DESC)`,
      `CREATE INDEX "jobs_status_created_at_id_idx" ON ${s}."jobs" ("status", "created_at" DESC, "id" DESC)`,
      `CREATE INDEX "jobs_target_id_created_at_id_idx" ON ${s}."jobs" ("target_id", "created_at" DESC, "id" DESC)`,
      `CREATE INDEX "jobs_session_id_created_at_id_idx" ON ${s}."jobs" ("session_id", "created_at" DESC, "id" DESC) WHERE "session_id" IS NOT NULL`,
      `CREATE INDEX "jobs_type_created_at_id_idx" ON ${s}."jobs" ("type", "created_at" DESC, "id" DESC)`,

      `CREATE TABLE ${s}."job_logs" (
        "job_id" uuid NOT NULL REFERENCES ${s}."jobs" ("id") ON DELETE CASCADE,
        "seq" integer NOT NULL CHECK ("seq" > 0),
        "level" varchar(8) NOT NULL CHECK ("level" IN ('debug', 'info', 'warn', 'error')),
        "message" text NOT NULL,
        "data" jsonb,
        "timestamp" timestamptz NOT NULL,
        PRIMARY KEY ("job_id", "seq")
      )`,
      `CREATE INDEX "job_logs_job_id_level_seq_idx" ON ${s}."job_logs" ("job_id", "level", "seq")`,
    ];
    for (const statement of statements) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    for (const table of ['job_logs', 'jobs', 'sessions', 'targets'])
      await queryRunner.query(`DROP TABLE ${s}."${table}"`);
  }
}
