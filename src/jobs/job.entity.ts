import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { JsonObject } from '../common/json';

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const FINISHED_JOB_STATUSES: JobStatus[] = ['succeeded', 'failed', 'cancelled'];

/** What a worker last reported in a heartbeat about its attempt. */
export interface JobProgress {
  percent: number;
  message?: string;
}

/**
 * A unit of work (`<tenant schema>.jobs`). `leaseExpiresAt` is set exactly while the job is `running`;
 * `workerId` and `startedAt` describe the latest attempt.
 */
@Entity({ name: 'jobs' })
export class Job {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'target_id', type: 'uuid' })
  targetId: string;

  /** When set, a session of the same target (composite foreign key `(target_id, session_id)`). */
  @Column({ name: 'session_id', type: 'uuid', nullable: true })
  sessionId: string | null;

  @Column({ type: 'varchar', length: 100 })
  type: string;

  @Column({ type: 'jsonb' })
  payload: JsonObject;

  @Column({ type: 'varchar', length: 16 })
  status: JobStatus;

  @Column({ type: 'smallint' })
  priority: number;

  @Column({ type: 'integer' })
  attempts: number;

  @Column({ name: 'max_attempts', type: 'integer' })
  maxAttempts: number;

  @Column({ name: 'run_at', type: 'timestamptz' })
  runAt: Date;

  @Column({ name: 'worker_id', type: 'varchar', length: 200, nullable: true })
  workerId: string | null;

  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true })
  leaseExpiresAt: Date | null;

  @Column({ type: 'jsonb', nullable: true })
  result: JsonObject | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  /** Set by heartbeats; cleared when an attempt starts. */
  @Column({ type: 'jsonb', nullable: true })
  progress: JobProgress | null;

  /** The client's `Idempotency-Key` (unique when set) and a SHA-256 of the request it came with. */
  @Column({ name: 'idempotency_key', type: 'varchar', length: 200, nullable: true })
  idempotencyKey: string | null;

  @Column({ name: 'request_hash', type: 'varchar', length: 64, nullable: true })
  requestHash: string | null;

  /** The last `seq` handed out to this job's logs; bumped under the row lock, so seqs are gapless. */
  @Column({ name: 'log_seq', type: 'integer' })
  logSeq: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}
