import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { JsonObject } from '../common/json';

export const JOB_LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type JobLogLevel = (typeof JOB_LOG_LEVELS)[number];

/** One append-only log line of a job (`<tenant schema>.job_logs`), numbered 1, 2, 3 … per job. */
@Entity({ name: 'job_logs' })
export class JobLog {
  @PrimaryColumn({ name: 'job_id', type: 'uuid' })
  jobId: string;

  @PrimaryColumn({ type: 'integer' })
  seq: number;

  @Column({ type: 'varchar', length: 8 })
  level: JobLogLevel;

  @Column({ type: 'text' })
  message: string;

  @Column({ type: 'jsonb', nullable: true })
  data: JsonObject | null;

  /** When it happened: the client's timestamp, or the server's clock when it was written. */
  @Column({ type: 'timestamptz' })
  timestamp: Date;
}
