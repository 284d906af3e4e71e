import type { EntityManager } from 'typeorm';
import { CLAIM_ASSIGNMENTS, dueJobsQuery, PLAN_CLAIM_BY_INDEX, sortClaimed } from './due-jobs-query';
import type { ClaimRequest } from './job-queue.repository';
import type { Job } from './job.entity';
import { QueueTables, queueTables } from './queue-tables';
import type { JsonObject } from '../common/json';
import { isDeadlock } from '../database/postgres-errors';

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
   * that applies it (`claimAfterExpiry`). `beforeCommit` sees the claimed jobs; if it throws, the claim rolls back.
   */
  async claim(request: ClaimRequest, beforeCommit?: (jobs: Job[]) => void): Promise<{ jobs: Job[]; leaseExpired: boolean }> {
    return this.manager.transaction(async (tx) => {
      await tx.query(PLAN_CLAIM_BY_INDEX);
      // One row per claimed job, or one with only "leaseExpired" when none was claimed.
      const rows = await tx.query<Array<Job & { leaseExpired: boolean }>>(
        `WITH gate AS (
           SELECT EXISTS (SELECT 1 FROM ${this.t.jobs} WHERE "status" = 'running' AND "lease_expires_at" <= now()) AS "leaseExpired"
         ),
         ${this.claimedWithEntries(request, `NOT (SELECT "leaseExpired" FROM gate)`)}
         SELECT c.*, g."leaseExpired" FROM gate AS g LEFT JOIN claimed AS c ON true`,
        this.claimParameters(request),
      );
      // The rows themselves (their extra "leaseExpired" is never read): no copy of 22 columns per claimed job.
      const jobs: Job[] = rows[0].id === null ? [] : rows;
      beforeCommit?.(jobs);
      return { jobs: sortClaimed(jobs), leaseExpired: rows[0].leaseExpired };
    });
  }

  /**
   * The same claim without the gate, in the caller's transaction: after it applied the expired leases (and sent
   * `PLAN_CLAIM_BY_INDEX`). The same statement writes the `claimed` entries, so both paths word them alike.
   */
  async claimAfterExpiry(request: ClaimRequest): Promise<Job[]> {
    const rows = await this.manager.query<Job[]>(
      `WITH ${this.claimedWithEntries(request)} SELECT * FROM claimed`,
      this.claimParameters(request),
    );
    return sortClaimed(rows);
  }

  /** The CTEs `next`, `claimed` (the updated rows, as `Job`s) and `logged` (their entries), then a comma. */
  private claimedWithEntries(request: ClaimRequest, condition?: string): string {
    return `next AS (${dueJobsQuery(this.t.jobs, request.types !== undefined, condition)}),
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
         )`;
  }

  private claimParameters(request: ClaimRequest): unknown[] {
    return [request.workerId, request.leaseSeconds, request.limit, ...(request.types ? [request.types] : [])];
  }

  /**
   * Completes each item whose job this worker holds a live lease on (`succeeded`, its result kept), with its
   * `completed` entry, in ONE `UPDATE` (`jobs_pkey`; each row changed once, as pg-boss completes a batch: no
   * separate `FOR UPDATE` pass, no join back to `jobs`). Only the items it did not complete are looked up again,
   * to tell a missing job from another holder's. Ids must be distinct. The conditions other than the id are
   * written so that no index but `jobs_pkey` can serve them (the running-lease and status indexes would scan every
   * running job), and the ids go sorted; the order rows are locked in is still the plan's, so two completions of
   * overlapping ids by the same worker could deadlock: the victim, rolled back whole, runs once more.
   * One row per item: found or not, and the entry's seq when completed.
   */
  async complete(workerId: string, items: CompletionItem[]): Promise<CompletionRow[]> {
    const ids = items.map(({ id }) => id.toLowerCase()).sort();
    // By id (its text form, as `j."id"::text` writes it); items without a result have no key, so `->` gives NULL.
    const results: Record<string, JsonObject> = {};
    for (const { id, result } of items) if (result !== null) results[id.toLowerCase()] = result;
    const statement = () =>
      this.manager.query<Array<{ id: string; logSeq: number }>>(
        `WITH done AS (
           UPDATE ${this.t.jobs} AS j
              SET "status" = 'succeeded', "result" = $3::jsonb -> j."id"::text, "error" = NULL, "lease_expires_at" = NULL,
                  "finished_at" = now(), "updated_at" = now(), "log_seq" = j."log_seq" + 1
            WHERE j."id" = ANY($2::uuid[])
              AND (j."status" = 'running' AND j."worker_id" = $1::text AND j."lease_expires_at" > now()) IS TRUE
           RETURNING j."id", j."log_seq", j."attempts"
         ),
         logged AS (
           INSERT INTO ${this.t.jobLogs} ("job_id", "seq", "level", "message", "data", "timestamp")
           SELECT d."id", d."log_seq", 'info', 'completed by ' || $1::text || ' (attempt ' || d."attempts" || ')',
                  jsonb_build_object('event', 'completed', 'workerId', $1::text, 'attempt', d."attempts"), now()
             FROM done AS d
         )
         SELECT d."id", d."log_seq" AS "logSeq" FROM done AS d`,
        [workerId, ids, JSON.stringify(results)],
      );
    const done = await statement().catch((error: unknown) => {
      if (!isDeadlock(error)) throw error;
      return statement();
    });
    const logSeqs = new Map(done.map(({ id, logSeq }) => [id, logSeq]));
    const others = ids.filter((id) => !logSeqs.has(id));
    const existing = new Set(
      others.length === 0
        ? []
        : (await this.manager.query<Array<{ id: string }>>(`SELECT "id" FROM ${this.t.jobs} WHERE "id" = ANY($1::uuid[])`, [others])).map(
            ({ id }) => id,
          ),
    );
    return items.map(({ id }) => {
      const key = id.toLowerCase();
      const logSeq = logSeqs.get(key);
      return { id, logSeq: logSeq ?? null, found: logSeq !== undefined || existing.has(key) };
    });
  }
}
