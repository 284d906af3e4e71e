import type { EntityManager } from 'typeorm';
import { FOREIGN_KEY_VIOLATION, postgresError } from '../database/postgres-errors';
import { newestFirstPageOf } from '../common/keyset-page';
import { managerStatements } from '../database/entity-statements';
import { ListCondition, newestFirstStatement } from '../database/newest-first-statement';
import type { Page } from '../common/pagination';
import { Job, JobStatus } from './job.entity';
import { QueueTables, queueTables } from './queue-tables';
import type { JsonObject } from '../common/json';

/** A job to insert, its defaults applied. */
export interface NewJob {
  id: string;
  targetId: string;
  sessionId: string | null;
  type: string;
  payload: JsonObject;
  priority: number;
  maxAttempts: number;
  /** ISO 8601; the database clock when null. */
  runAt: string | null;
  idempotencyKey: string | null;
  requestHash: string | null;
}

/** Inserted rows (none for a taken idempotency key), or the parent a foreign key found missing. */
export type InsertOutcome = { inserted: Job[] } | { missing: 'target' | 'session' };

export interface JobListFilter {
  status?: JobStatus;
  targetId?: string;
  sessionId?: string;
  type?: string;
}

/** A job as `insertJobs` stores it: the row sent, queued, with the database's `run_at`. */
function newJob(row: NewJob, runAt: Date, createdAt: Date): Job {
  return {
    id: row.id,
    targetId: row.targetId,
    sessionId: row.sessionId,
    type: row.type,
    payload: row.payload,
    status: 'queued',
    priority: row.priority,
    attempts: 0,
    maxAttempts: row.maxAttempts,
    runAt,
    workerId: null,
    leaseExpiresAt: null,
    result: null,
    error: null,
    progress: null,
    idempotencyKey: row.idempotencyKey,
    requestHash: row.requestHash,
    logSeq: 0,
    createdAt,
    updatedAt: createdAt,
    startedAt: null,
    finishedAt: null,
  };
}

const NEW_JOB_COLUMNS = `"id", "target_id", "session_id", "type", "payload", "status", "priority", "attempts",
  "max_attempts", "run_at", "idempotency_key", "request_hash", "log_seq", "created_at", "updated_at"`;

/**
 * Jobs as a collection — insert, look up, list — on one tenant's DataSource (tables named from its entity
 * metadata, never from input). Each method names the index it relies on.
 */
export class JobsRepository {
  private readonly t: QueueTables;

  constructor(private readonly manager: EntityManager) {
    this.t = queueTables(manager);
  }

  /**
   * One `INSERT` of every row, all or none: the rows travel as one JSON parameter (a statement with ten
   * parameters per row costs PostgreSQL more to parse and plan than the rows cost to insert), and only what the
   * database decides comes back (which rows went in, and `run_at`, the database clock's when none was given):
   * the rest of each new job is what was sent. The foreign keys (`targets_pkey`, `sessions_target_id_id_key`)
   * report a missing target or session. A taken key (`jobs_idempotency_key_key`) inserts nothing.
   */
  async insertJobs(rows: NewJob[], createdAt: Date): Promise<InsertOutcome> {
    const records = rows.map((row) => ({
      id: row.id,
      target_id: row.targetId,
      session_id: row.sessionId,
      type: row.type,
      payload: row.payload,
      priority: row.priority,
      max_attempts: row.maxAttempts,
      run_at: row.runAt,
      idempotency_key: row.idempotencyKey,
      request_hash: row.requestHash,
    }));
    try {
      const inserted = await this.manager.query<Array<{ id: string; runAt: Date }>>(
        `INSERT INTO ${this.t.jobs} (${NEW_JOB_COLUMNS})
         SELECT r."id", r."target_id", r."session_id", r."type", r."payload", 'queued', r."priority", 0,
                r."max_attempts", coalesce(r."run_at", now()), r."idempotency_key", r."request_hash", 0, $2::timestamptz, $2::timestamptz
           FROM jsonb_to_recordset($1::jsonb)
             AS r("id" uuid, "target_id" uuid, "session_id" uuid, "type" text, "payload" jsonb, "priority" smallint,
                  "max_attempts" integer, "run_at" timestamptz, "idempotency_key" text, "request_hash" text)
         ON CONFLICT ("idempotency_key") WHERE "idempotency_key" IS NOT NULL DO NOTHING
         RETURNING "id", "run_at" AS "runAt"`,
        [JSON.stringify(records), createdAt],
      );
      const runAt = new Map(inserted.map((job) => [job.id, job.runAt]));
      return { inserted: rows.flatMap((row) => (runAt.has(row.id) ? [newJob(row, runAt.get(row.id)!, createdAt)] : [])) };
    } catch (error) {
      const { code, constraint } = postgresError(error);
      if (code !== FOREIGN_KEY_VIOLATION) throw error;
      return { missing: constraint === 'jobs_session_fkey' ? 'session' : 'target' };
    }
  }

  /**
   * The first of `rows` whose target, or session of that target, does not exist (`targets_pkey`,
   * `sessions_target_id_id_key`): index and which parent, or null.
   */
  async firstMissingParent(
    rows: Array<Pick<NewJob, 'targetId' | 'sessionId'>>,
  ): Promise<{ index: number; missing: 'target' | 'session' } | null> {
    const targetIds = [...new Set(rows.map((row) => row.targetId))];
    const sessionIds = [...new Set(rows.flatMap((row) => row.sessionId ?? []))];
    const targets = await this.manager.query<Array<{ id: string }>>(
      `SELECT "id" FROM ${this.t.targets} WHERE "id" = ANY($1::uuid[])`,
      [targetIds],
    );
    const sessions = sessionIds.length
      ? await this.manager.query<Array<{ id: string; targetId: string }>>(
          `SELECT "id", "target_id" AS "targetId" FROM ${this.t.sessions} WHERE "id" = ANY($1::uuid[])`,
          [sessionIds],
        )
      : [];
    const knownTargets = new Set(targets.map((row) => row.id));
    const sessionTarget = new Map(sessions.map((row) => [row.id, row.targetId]));
    for (const [index, row] of rows.entries()) {
      if (!knownTargets.has(row.targetId)) return { index, missing: 'target' };
      if (row.sessionId !== null && sessionTarget.get(row.sessionId) !== row.targetId) return { index, missing: 'session' };
    }
    return null;
  }

  /**
   * Locks every `queued` or `running` job of the target `FOR UPDATE` (`jobs_target_id_created_at_id_idx`) and
   * counts those whose lease is live, in SQL, so a target with a million queued jobs does not ship them to the app.
   */
  async lockOpenJobsOfTarget(targetId: string): Promise<{ liveLeases: number }> {
    const [{ liveLeases }] = await this.manager.query<Array<{ liveLeases: number }>>(
      `SELECT count(*) FILTER (WHERE live)::int AS "liveLeases"
         FROM (SELECT "lease_expires_at" > now() AS live FROM ${this.t.jobs}
                WHERE "target_id" = $1 AND "status" IN ('queued', 'running') FOR UPDATE) AS locked`,
      [targetId],
    );
    return { liveLeases };
  }

  /** The job holding an idempotency key (`jobs_idempotency_key_key`). */
  async findByIdempotencyKey(idempotencyKey: string): Promise<Job | null> {
    return this.manager.getRepository(Job).findOneBy({ idempotencyKey });
  }

  /** A newest-first page of jobs, by the `jobs_…_created_at_id_idx` index of the one filter given. */
  async listJobs(filter: JobListFilter & { limit: number; cursor?: string }): Promise<Page<Job>> {
    const conditions: ListCondition[] = [];
    if (filter.status !== undefined) conditions.push({ sql: '"status" = ?', values: [filter.status] });
    if (filter.targetId !== undefined) conditions.push({ sql: '"target_id" = ?::uuid', values: [filter.targetId] });
    if (filter.sessionId !== undefined) conditions.push({ sql: '"session_id" = ?::uuid', values: [filter.sessionId] });
    if (filter.type !== undefined) conditions.push({ sql: '"type" = ?', values: [filter.type] });
    return newestFirstPageOf(newestFirstStatement(managerStatements(this.manager, Job), conditions), filter.limit, filter.cursor);
  }
}
