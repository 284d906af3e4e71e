import type { EntityManager } from 'typeorm';
import { CLAIM_ASSIGNMENTS, dueJobsQuery, PLAN_CLAIM_BY_INDEX, sortClaimed } from './due-jobs-query';
import type { ClaimRequest } from './job-queue.repository';
import type { Job } from './job.entity';
import { QueueTables, queueTables } from './queue-tables';
import type { JsonObject } from '../common/json';

/** An item of a completion: the id once, with its result. */
export interface CompletionItem {
  id: string;
  result: JsonObject | null;
}

/** What a completion found of an item: whether the job exists, and the seq of its `completed` entry if it succeeded. */
export interface CompletionRow {
  id: string;
  found: boolean;
  /** Null when the job was not completed (not running, another worker's or an expired lease). */
  logSeq: number | null;
}

/** `lease_expires_at` as `Date#toISOString` writes it: UTC, milliseconds (truncated, as the driver reads it). */
const ISO_UTC = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The worker protocol's hot paths, each ONE statement (a claim's after `PLAN_CLAIM_BY_INDEX`), on one tenant's
 * DataSource: the state change and the server's log entries about it in data-modifying CTEs, so a claim of N
 * jobs and a completion of N jobs each cost one round trip. Every table is of the one tenant schema (a router
 * query on Citus). The log notifications are not sent here: a `pg_notify` inside a statement on tenant tables
 * would run on the Citus worker holding the schema, where no instance listens; callers send them after.
 */
export class WorkerStatementsRepository {
  private readonly t: QueueTables;

  constructor(private readonly manager: EntityManager) {
    this.t = queueTables(manager);
  }

  /**
   * Up to `limit` due jobs, now running under the worker, best first, each with its `claimed` entry. Claims
   * nothing while a lease of the tenant has expired (`jobs_running_lease_idx`; then `leaseExpired`): the expiry
   * rule comes first (the requeued job goes back in its old place), so the caller then runs the claim transaction
   * that applies it. `beforeCommit` sees the claimed jobs; if it throws, the claim rolls back.
   */
  async claim(request: ClaimRequest, beforeCommit?: (jobs: Job[]) => void): Promise<{ jobs: Job[]; leaseExpired: boolean }> {
    return this.manager.transaction(async (tx) => {
      await tx.query(PLAN_CLAIM_BY_INDEX);
      // One row per claimed job, or one with only "leaseExpired" when none was claimed.
      const rows = await tx.query<Array<Job & { leaseExpired: boolean }>>(
        `WITH gate AS (
           SELECT EXISTS (SELECT 1 FROM ${this.t.jobs} WHERE "status" = 'running' AND "lease_expires_at" <= now()) AS "leaseExpired"
         ),
         next AS (${dueJobsQuery(this.t.jobs, request.types !== undefined, `NOT (SELECT "leaseExpired" FROM gate)`)}),
         claimed AS (
           UPDATE ${this.t.jobs} AS j SET ${CLAIM_ASSIGNMENTS} FROM next WHERE j."id" = next."id"
           RETURNING ${this.t.jobColumnsOfJ}
         ),
         logged AS (
           INSERT INTO ${this.t.jobLogs} ("job_id", "seq", "level", "message", "data", "timestamp")
           SELECT c."id", c."logSeq", 'info',
                  'claimed by ' || c."workerId" || ' (attempt ' || c."attempts" || ' of ' || c."maxAttempts" || ')',
                  jsonb_build_object('event', 'claimed', 'workerId', c."workerId", 'attempt', c."attempts",
                                     'leaseExpiresAt', ${ISO_UTC('c."leaseExpiresAt"')}),
                  now()
             FROM claimed AS c
         )
         SELECT c.*, g."leaseExpired" FROM gate AS g LEFT JOIN claimed AS c ON true`,
        [request.workerId, request.leaseSeconds, request.limit, ...(request.types ? [request.types] : [])],
      );
      const jobs = rows.flatMap(({ leaseExpired, ...job }) => (job.id === null ? [] : [job as Job]));
      beforeCommit?.(jobs);
      return { jobs: sortClaimed(jobs), leaseExpired: rows[0].leaseExpired };
    });
  }

  /**
   * Completes each item whose job this worker holds a live lease on (`succeeded`, its result kept), with its
   * `completed` entry; the held rows are locked in id order first, so two completions cannot deadlock
   * (`jobs_pkey`). Ids must be distinct. One row per item: found or not, and the entry's seq when completed.
   */
  async complete(workerId: string, items: CompletionItem[]): Promise<CompletionRow[]> {
    const rows = await this.manager.query<CompletionRow[]>(
      `WITH v AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS v("id" uuid, "result" jsonb)),
       held AS (
         SELECT j."id" FROM ${this.t.jobs} AS j
          WHERE j."id" IN (SELECT "id" FROM v) AND j."status" = 'running' AND j."worker_id" = $1::text
            AND j."lease_expires_at" > now()
          ORDER BY j."id" FOR UPDATE
       ),
       done AS (
         UPDATE ${this.t.jobs} AS j
            SET "status" = 'succeeded', "result" = v."result", "error" = NULL, "lease_expires_at" = NULL,
                "finished_at" = now(), "updated_at" = now(), "log_seq" = j."log_seq" + 1
           FROM held, v
          WHERE j."id" = held."id" AND v."id" = held."id"
         RETURNING j."id", j."log_seq", j."attempts"
       ),
       logged AS (
         INSERT INTO ${this.t.jobLogs} ("job_id", "seq", "level", "message", "data", "timestamp")
         SELECT d."id", d."log_seq", 'info', 'completed by ' || $1::text || ' (attempt ' || d."attempts" || ')',
                jsonb_build_object('event', 'completed', 'workerId', $1::text, 'attempt', d."attempts"), now()
           FROM done AS d
       )
       SELECT v."id", d."log_seq" AS "logSeq", (d."id" IS NOT NULL OR f."id" IS NOT NULL) AS "found"
         FROM v LEFT JOIN done AS d ON d."id" = v."id" LEFT JOIN ${this.t.jobs} AS f ON f."id" = v."id"`,
      [workerId, JSON.stringify(items)],
    );
    return rows;
  }
}
