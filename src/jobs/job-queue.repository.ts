import type { EntityManager } from 'typeorm';
import { JobLogRepository } from './job-log.repository';
import { Job, JobProgress } from './job.entity';
import { QueueTables, queueTables } from './queue-tables';
import { PLAN_CLAIM_BY_INDEX } from './due-jobs-query';
import type { JsonObject } from '../common/json';

export interface ClaimRequest {
  workerId: string;
  leaseSeconds: number;
  /** Distinct types to claim from; all types when absent. */
  types?: string[];
  limit: number;
}

export interface LockedJob {
  job: Job;
  /** `lease_expires_at > now()` by the database clock, the one every instance shares. */
  leaseLive: boolean;
}

/** Who holds a job's lease: what completing it needs to know, without the rest of the row. */
export interface LockedLease {
  id: string;
  status: Job['status'];
  workerId: string | null;
  leaseLive: boolean;
}

/**
 * The queue's state changes, on one tenant's DataSource (tables named from its entity metadata, never from
 * input), in the caller's transaction. Each method names the index it relies on. Leases and due times use
 * the database clock (`now()`), which all instances share.
 */
export class JobQueueRepository {
  readonly logs: JobLogRepository;
  private readonly t: QueueTables;

  constructor(private readonly manager: EntityManager) {
    this.logs = new JobLogRepository(manager);
    this.t = queueTables(manager);
  }

  /** Plans the claim of this transaction by the queue index (`PLAN_CLAIM_BY_INDEX`); send it first. */
  async planClaimByIndex(): Promise<void> {
    await this.manager.query(PLAN_CLAIM_BY_INDEX);
  }

  /**
   * Up to `limit` running jobs whose lease has expired (`jobs_running_lease_idx`): each counts as a failed
   * attempt and is queued again in its old place or fails when its attempts are used up. `now()` comes from
   * a subquery in FROM (no STABLE function inside CASE of an UPDATE).
   */
  async expireLeases(limit: number): Promise<Job[]> {
    const [expired] = await this.manager.query<[Job[], number]>(
      `WITH expired AS (
         SELECT "id" FROM ${this.t.jobs}
          WHERE "status" = 'running' AND "lease_expires_at" <= now()
          ORDER BY "lease_expires_at"
          LIMIT $1
            FOR UPDATE SKIP LOCKED
       )
       UPDATE ${this.t.jobs} AS j
          SET "status" = CASE WHEN j."attempts" < j."max_attempts" THEN 'queued' ELSE 'failed' END,
              "finished_at" = CASE WHEN j."attempts" < j."max_attempts" THEN NULL ELSE clock."now" END,
              "error" = 'lease expired', "lease_expires_at" = NULL, "updated_at" = clock."now",
              "log_seq" = j."log_seq" + 1
         FROM expired, (SELECT now() AS "now") AS clock
        WHERE j."id" = expired."id"
       RETURNING ${this.t.jobColumnsOfJ}`,
      [limit],
    );
    return expired;
  }

  /**
   * Seconds until the next queued job (of one of `types`) becomes due, or null when none is queued
   * (`jobs_queued_run_at_idx`). Measured on the database clock, which leases and due times use.
   */
  async secondsUntilNextDue(types?: string[]): Promise<number | null> {
    const rows = await this.manager.query<Array<{ seconds: number | null }>>(
      `SELECT extract(epoch FROM (min("run_at") - now()))::float8 AS "seconds" FROM ${this.t.jobs}
        WHERE "status" = 'queued'${types ? ` AND "type" = ANY($1::text[])` : ''}`,
      types ? [types] : [],
    );
    return rows[0]?.seconds ?? null;
  }

  /** The job row `FOR UPDATE` (`jobs_pkey`; state changes of one job are serialized on it), or null. */
  async lockJob(id: string): Promise<LockedJob | null> {
    return (await this.lockJobs([id]))[0] ?? null;
  }

  /** The existing ones of these jobs, `FOR UPDATE` in id order so two batches cannot deadlock (`jobs_pkey`). */
  async lockJobs(ids: string[]): Promise<LockedJob[]> {
    const rows = await this.manager.query<Array<Job & { leaseLive: boolean | null }>>(
      `SELECT ${this.t.jobColumns}, "lease_expires_at" > now() AS "leaseLive" FROM ${this.t.jobs}
        WHERE "id" = ANY($1::uuid[]) ORDER BY "id" FOR UPDATE`,
      [ids],
    );
    return rows.map(({ leaseLive, ...job }) => ({ job: job as Job, leaseLive: leaseLive === true }));
  }

  /** Extends the lease of a running job (`jobs_pkey`), with its progress when given; no log seq. */
  async heartbeat(id: string, leaseSeconds: number, progress?: JobProgress): Promise<Job> {
    return progress === undefined
      ? this.updateJob(id, `"lease_expires_at" = now() + make_interval(secs => $2)`, [leaseSeconds], false)
      : this.updateJob(
          id,
          `"lease_expires_at" = now() + make_interval(secs => $2), "progress" = $3::jsonb`,
          [leaseSeconds, JSON.stringify(progress)],
          false,
        );
  }

  /** The job succeeded with `result` (`jobs_pkey`). */
  async succeed(id: string, result: JsonObject | null): Promise<Job> {
    return this.updateJob(
      id,
      `"status" = 'succeeded', "result" = $2::jsonb, "error" = NULL, "lease_expires_at" = NULL, "finished_at" = now()`,
      [result === null ? null : JSON.stringify(result)],
    );
  }

  /** A failed attempt queued again after `delaySeconds` (`jobs_pkey`). */
  async requeue(id: string, error: string, delaySeconds: number): Promise<Job> {
    return this.updateJob(
      id,
      `"status" = 'queued', "error" = $2, "lease_expires_at" = NULL, "run_at" = now() + make_interval(secs => $3)`,
      [error, delaySeconds],
    );
  }

  /** The job failed for good (`jobs_pkey`). */
  async fail(id: string, error: string): Promise<Job> {
    return this.updateJob(id, `"status" = 'failed', "error" = $2, "lease_expires_at" = NULL, "finished_at" = now()`, [
      error,
    ]);
  }

  /** A finished job queued again, due now, as if new: attempts, error, result and progress reset (`jobs_pkey`). */
  async retry(id: string): Promise<Job> {
    return this.updateJob(
      id,
      `"status" = 'queued', "attempts" = 0, "run_at" = now(), "error" = NULL, "result" = NULL, "progress" = NULL,
       "finished_at" = NULL`,
      [],
    );
  }

  /** The job cancelled (`jobs_pkey`). */
  async cancel(id: string): Promise<Job> {
    return this.updateJob(id, `"status" = 'cancelled', "lease_expires_at" = NULL, "finished_at" = now()`, []);
  }

  /** When the earliest lease of a running job ends, or null when none runs (`jobs_running_lease_idx`). */
  async earliestLeaseEnd(): Promise<Date | null> {
    const rows = await this.manager.query<Array<{ at: Date | null }>>(
      `SELECT min("lease_expires_at") AS "at" FROM ${this.t.jobs} WHERE "status" = 'running'`,
    );
    return rows[0]?.at ?? null;
  }

  /** A transaction-scoped advisory lock on `key` (no table), or false when another session holds it. */
  async tryLock(key: string): Promise<boolean> {
    const rows = await this.manager.query<Array<{ locked: boolean }>>(
      `SELECT pg_try_advisory_xact_lock(hashtext('tenantry:jobs'), hashtext($1)) AS "locked"`,
      [key],
    );
    return rows[0].locked;
  }

  /** `pg_notify` (no table; in a transaction, delivered only when it commits). */
  async notify(channel: string, payload: string): Promise<void> {
    await this.manager.query('SELECT pg_notify($1, $2)', [channel, payload]);
  }

  /**
   * `UPDATE … SET <assignments>` on one job by `jobs_pkey`, returning the new row. A state change also takes
   * the next log `seq` (returned in `logSeq`) for the server's log entry about it. Private: only the named
   * statements above reach it, their parameters `$2…` written beside their assignments.
   */
  private async updateJob(id: string, assignments: string, params: unknown[], stateChange = true): Promise<Job> {
    const logSeq = stateChange ? `, "log_seq" = "log_seq" + 1` : '';
    const [rows] = await this.manager.query<[Job[], number]>(
      `UPDATE ${this.t.jobs} SET ${assignments}, "updated_at" = now()${logSeq} WHERE "id" = $1 RETURNING ${this.t.jobColumns}`,
      [id, ...params],
    );
    return rows[0];
  }
}
