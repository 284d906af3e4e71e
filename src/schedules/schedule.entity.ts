import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { JsonObject } from '../common/json';

/**
 * A recurring job (`<tenant schema>.schedules`): every occurrence of `cron` in `timezone` queues a job made
 * from the `job…` columns. `nextRunAt` is the next occurrence not yet queued, set exactly while `enabled`.
 */
@Entity({ name: 'schedules' })
export class Schedule {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** Five fields, minute to weekday. */
  @Column({ type: 'varchar', length: 200 })
  cron: string;

  /** An IANA time zone name, in which `cron` is read. */
  @Column({ type: 'varchar', length: 64 })
  timezone: string;

  @Column({ name: 'target_id', type: 'uuid' })
  targetId: string;

  /** When set, a session of the same target (composite foreign key `(target_id, session_id)`). */
  @Column({ name: 'session_id', type: 'uuid', nullable: true })
  sessionId: string | null;

  @Column({ name: 'job_type', type: 'varchar', length: 100 })
  jobType: string;

  @Column({ name: 'job_payload', type: 'jsonb' })
  jobPayload: JsonObject;

  @Column({ name: 'job_priority', type: 'smallint' })
  jobPriority: number;

  @Column({ name: 'job_max_attempts', type: 'integer' })
  jobMaxAttempts: number;

  @Column({ type: 'boolean' })
  enabled: boolean;

  @Column({ name: 'next_run_at', type: 'timestamptz', nullable: true })
  nextRunAt: Date | null;

  /** The occurrence of the latest job this schedule queued. */
  @Column({ name: 'last_run_at', type: 'timestamptz', nullable: true })
  lastRunAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** The job a schedule queues, as the API shows it and as the scheduler inserts it (less its id and run time). */
export function scheduledJob(schedule: Schedule) {
  return {
    targetId: schedule.targetId,
    sessionId: schedule.sessionId,
    type: schedule.jobType,
    payload: schedule.jobPayload,
    priority: schedule.jobPriority,
    maxAttempts: schedule.jobMaxAttempts,
  };
}
