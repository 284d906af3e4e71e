import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { LeaseNotHeldError } from './jobs.errors';
import { EnvironmentVariables } from '../config/environment-variables';
import { columnsOf, tableOf } from '../database/table-sql';
import { TenantDatabase } from '../tenancy/tenant-database.service';
import { DEFAULT_LEASE_SECONDS } from './dto/worker.dto';
import { backoffSeconds } from './job-backoff';
import { JobLogsService, ServerLogEntry } from './job-logs.service';
import { jsonParam, lockJob, updateJob } from './job-rows';
import { Job } from './job.entity';
import type { JsonObject } from '../common/json';

/** Lease expiries handled per claim, so one claim after a mass worker crash stays short; the next claims do the rest. */
const SWEEP_BATCH = 100;

const unique = (values: string[]) => [...new Set(values)];

export interface ClaimOptions {
  workerId: string;
  types?: string[];
  leaseSeconds?: number;
}

export interface FailOptions {
  workerId: string;
  error: string;
  retryable?: boolean;
  retryDelaySeconds?: number;
}

/**
 * The worker protocol. Leases and due times are compared with the database clock (`now()`), which all
 * instances share. A lease is held while `lease_expires_at > now()`; after that the attempt counts as
 * failed: heartbeat, complete and fail get 409, and the next claim requeues the job (or fails it for good
 * when its attempts are used up). Every state change writes its log entry in the same transaction.
 */
@Injectable()
export class JobWorkerService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly logs: JobLogsService,
    private readonly config: EnvironmentVariables,
  ) {}

  /**
   * Hands the next due job to one worker, or returns null. `FOR UPDATE SKIP LOCKED` makes concurrent claims
   * pass over each other's rows instead of waiting, so no job is handed out twice and none waits for nothing.
   */
  async claim(options: ClaimOptions): Promise<Job | null> {
    return this.db.transaction(async (manager) => {
      await this.expireLeases(manager);
      const jobs = tableOf(manager, Job);
      const [rows] = await manager.query<[Job[], number]>(
        `WITH next AS (${this.nextDueJob(jobs, options.types)})
         UPDATE ${jobs} AS j
            SET "status" = 'running', "attempts" = j."attempts" + 1, "worker_id" = $1,
                "lease_expires_at" = now() + make_interval(secs => $2), "started_at" = now(), "updated_at" = now(),
                "log_seq" = j."log_seq" + 1
           FROM next WHERE j."id" = next."id"
         RETURNING ${columnsOf(manager, Job, 'j')}`,
        [
          options.workerId,
          options.leaseSeconds ?? DEFAULT_LEASE_SECONDS,
          ...(options.types ? [unique(options.types)] : []),
        ],
      );
      const job = rows[0];
      if (!job) return null;
      await this.logs.insert(manager, [
        this.entry(job, 'info', `claimed by ${job.workerId} (attempt ${job.attempts} of ${job.maxAttempts})`, {
          event: 'claimed',
          workerId: job.workerId,
          attempt: job.attempts,
          leaseExpiresAt: job.leaseExpiresAt?.toISOString() ?? null,
        }),
      ]);
      return job;
    });
  }

  async heartbeat(id: string, workerId: string, leaseSeconds = DEFAULT_LEASE_SECONDS): Promise<Job> {
    return this.db.transaction(async (manager) => {
      await this.holdLease(manager, id, workerId);
      return updateJob(manager, id, `"lease_expires_at" = now() + make_interval(secs => $2)`, [leaseSeconds], {
        stateChange: false,
      });
    });
  }

  async complete(id: string, workerId: string, result?: JsonObject): Promise<Job> {
    return this.db.transaction(async (manager) => {
      await this.holdLease(manager, id, workerId);
      const job = await updateJob(
        manager,
        id,
        `"status" = 'succeeded', "result" = $2::jsonb, "error" = NULL, "lease_expires_at" = NULL, "finished_at" = now()`,
        [jsonParam(result)],
      );
      await this.logs.insert(manager, [
        this.entry(job, 'info', `completed by ${workerId} (attempt ${job.attempts})`, {
          event: 'completed',
          workerId,
          attempt: job.attempts,
        }),
      ]);
      return job;
    });
  }

  /** Queues the job again after a delay while attempts remain and the failure is retryable, else fails it. */
  async fail(id: string, options: FailOptions): Promise<Job> {
    return this.db.transaction(async (manager) => {
      const held = await this.holdLease(manager, id, options.workerId);
      const retryable = options.retryable ?? true;
      const retry = retryable && held.attempts < held.maxAttempts;
      const delay = options.retryDelaySeconds ?? this.backoff(held.attempts);
      const job = retry
        ? await updateJob(
            manager,
            id,
            `"status" = 'queued', "error" = $2, "lease_expires_at" = NULL, "run_at" = now() + make_interval(secs => $3)`,
            [options.error, delay],
          )
        : await updateJob(
            manager,
            id,
            `"status" = 'failed', "error" = $2, "lease_expires_at" = NULL, "finished_at" = now()`,
            [options.error],
          );
      const attempt = `attempt ${job.attempts} of ${job.maxAttempts} failed`;
      const data = { workerId: options.workerId, attempt: job.attempts, error: options.error, retryable };
      const runAt = job.runAt.toISOString();
      await this.logs.insert(manager, [
        retry
          ? this.entry(job, 'warn', `${attempt}; retrying at ${runAt}`, { event: 'retried', ...data, runAt })
          : this.entry(job, 'error', `${attempt}; job failed`, { event: 'failed', ...data }),
      ]);
      return job;
    });
  }

  /**
   * Running jobs whose lease has expired: each counts as a failed attempt and is queued again in its old
   * place (its `run_at` is already past; the lease itself was the wait) or fails when its attempts are used up.
   */
  private async expireLeases(manager: EntityManager): Promise<void> {
    const jobs = tableOf(manager, Job);
    const [expired] = await manager.query<[Job[], number]>(
      `WITH expired AS (
         SELECT "id" FROM ${jobs}
          WHERE "status" = 'running' AND "lease_expires_at" <= now()
          ORDER BY "lease_expires_at"
          LIMIT ${SWEEP_BATCH}
            FOR UPDATE SKIP LOCKED
       )
       UPDATE ${jobs} AS j
          SET "status" = CASE WHEN j."attempts" < j."max_attempts" THEN 'queued' ELSE 'failed' END,
              "finished_at" = CASE WHEN j."attempts" < j."max_attempts" THEN NULL ELSE now() END,
              "error" = 'lease expired', "lease_expires_at" = NULL, "updated_at" = now(), "log_seq" = j."log_seq" + 1
         FROM expired WHERE j."id" = expired."id"
       RETURNING ${columnsOf(manager, Job, 'j')}`,
    );
    await this.logs.insert(
      manager,
      expired.map((job) =>
        this.entry(
          job,
          'warn',
          `lease of ${job.workerId} expired (attempt ${job.attempts} of ${job.maxAttempts}); ${job.status === 'queued' ? 'requeued' : 'job failed'}`,
          {
            event: 'lease_expired',
            workerId: job.workerId,
            attempt: job.attempts,
            status: job.status,
          },
        ),
      ),
    );
  }

  /**
   * The next due job, locked: highest priority, then earliest `run_at`, then id (`jobs_queued_idx`). For a
   * type list: the best due job of each type (`jobs_queued_type_idx`, one index probe each), then the best of
   * those; a single scan filtered by type would wade through every due job of the other types. The runners-up
   * stay locked until this short transaction ends; other claims skip them meanwhile.
   */
  private nextDueJob(jobs: string, types: string[] | undefined): string {
    const due = `"status" = 'queued' AND "run_at" <= now()`;
    if (!types) {
      return `SELECT "id" FROM ${jobs} WHERE ${due} ORDER BY "priority" DESC, "run_at", "id" LIMIT 1 FOR UPDATE SKIP LOCKED`;
    }
    return `SELECT best."id" FROM unnest($3::text[]) AS wanted("type")
      CROSS JOIN LATERAL (
        SELECT "id", "priority", "run_at" FROM ${jobs}
         WHERE ${due} AND "type" = wanted."type"
         ORDER BY "priority" DESC, "run_at", "id" LIMIT 1 FOR UPDATE SKIP LOCKED
      ) AS best
      ORDER BY best."priority" DESC, best."run_at", best."id" LIMIT 1`;
  }

  /** The locked job, if `workerId` holds a live lease on it; else 404 (no such job) or 409. */
  private async holdLease(manager: EntityManager, id: string, workerId: string): Promise<Job> {
    const { job, leaseLive } = await lockJob(manager, id);
    if (job.status !== 'running' || job.workerId !== workerId || !leaseLive) throw new LeaseNotHeldError();
    return job;
  }

  private backoff(attempts: number): number {
    return backoffSeconds(attempts, this.config.JOB_BACKOFF_BASE_SECONDS, this.config.JOB_BACKOFF_MAX_SECONDS);
  }

  private entry(job: Job, level: ServerLogEntry['level'], message: string, data: JsonObject): ServerLogEntry {
    return { jobId: job.id, seq: job.logSeq, level, message, data };
  }
}
