import type { Job } from './job.entity';

/**
 * The ids of up to `$3` due jobs, best first, locked `FOR UPDATE SKIP LOCKED` (concurrent claims pass over each
 * other's rows instead of waiting, so no job is handed out twice): highest priority, then earliest `run_at`, then
 * id (`jobs_queued_idx`). With a type list (`$4::text[]`): the best due jobs of each type (`jobs_queued_type_idx`,
 * one index probe each), then the best of those; a single scan filtered by type would wade through every due job
 * of the other types. `condition`, when given, gates the whole claim (a condition on no row of the scan).
 */
export function dueJobsQuery(jobs: string, typed: boolean, condition?: string): string {
  const due = `"status" = 'queued' AND "run_at" <= now()`;
  const best = `ORDER BY "priority" DESC, "run_at", "id" LIMIT $3`;
  const gate = condition ? ` AND ${condition}` : '';
  return typed
    ? `SELECT best."id" FROM unnest($4::text[]) AS wanted("type")
       CROSS JOIN LATERAL (
         SELECT "id", "priority", "run_at" FROM ${jobs}
          WHERE ${due} AND "type" = wanted."type"${gate} ${best} FOR UPDATE SKIP LOCKED
       ) AS best
       ORDER BY best."priority" DESC, best."run_at", best."id" LIMIT $3`
    : `SELECT "id" FROM ${jobs} WHERE ${due}${gate} ${best} FOR UPDATE SKIP LOCKED`;
}

/**
 * Sent first in a claim's transaction: plan the claim without a sort, i.e. by reading the first rows of the
 * queue index in its order. The queued set is what table statistics miss most (ANALYZE ran when the queue was
 * empty, or never on a new tenant), and on an estimate of a few rows the planner scans every queued job (a
 * bitmap, or the status list index) and sorts them all — `FOR UPDATE` keeps the LIMIT from bounding the sort —
 * so a claim cost grew with the queue. Transaction-scoped (`SET LOCAL`): nothing outlives the claim (PgBouncer).
 * On Citus the worker holding the schema plans the claim, and a coordinator passes a transaction's SET LOCAL on
 * to its workers only with `citus.propagate_set_commands = 'local'`, set first for this transaction alone; plain
 * PostgreSQL keeps that as a placeholder setting. One message (no parameters: the simple protocol takes both).
 */
export const PLAN_CLAIM_BY_INDEX = `SET LOCAL citus.propagate_set_commands = 'local'; SET LOCAL enable_sort = off`;

/** The SET list of a claim, `$1` the worker and `$2` the lease in seconds; `j` is the job row. */
export const CLAIM_ASSIGNMENTS = `"status" = 'running', "attempts" = j."attempts" + 1, "worker_id" = $1,
  "lease_expires_at" = now() + make_interval(secs => $2), "started_at" = now(), "updated_at" = now(),
  "progress" = NULL, "log_seq" = j."log_seq" + 1`;

/** Claimed rows in the queue's order (RETURNING keeps none). */
export function sortClaimed(rows: Job[]): Job[] {
  return rows.sort((a, b) => b.priority - a.priority || +a.runAt - +b.runAt || (a.id < b.id ? -1 : 1));
}
