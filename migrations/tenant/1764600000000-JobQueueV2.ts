import type { MigrationInterface, QueryRunner } from 'typeorm';
import { schemaOf } from '../schema-of';

/**
 * Job queue v2: a running job's last reported `progress`, and the queued jobs by `run_at` alone, so a waiting
 * claim finds when the next job becomes due with one index probe.
 */
export class JobQueueV21764600000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}."jobs" ADD COLUMN "progress" jsonb`);
    await queryRunner.query(`CREATE INDEX "jobs_queued_run_at_idx" ON ${s}."jobs" ("run_at") WHERE "status" = 'queued'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = schemaOf(queryRunner);
    await queryRunner.query(`DROP INDEX ${s}."jobs_queued_run_at_idx"`);
    await queryRunner.query(`ALTER TABLE ${s}."jobs" DROP COLUMN "progress"`);
  }
}
