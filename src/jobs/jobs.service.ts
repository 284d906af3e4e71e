import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { IdempotencyKeyReusedError, JobFinishedError, JobNotFoundError } from './jobs.errors';
import { SessionNotFoundError } from '../sessions/sessions.errors';
import { TargetNotFoundError } from '../targets/targets.errors';
import type { Page } from '../common/pagination';
import { newestFirstPage } from '../common/keyset-page';
import { FOREIGN_KEY_VIOLATION, postgresError } from '../database/postgres-errors';
import { columnsOf, tableOf } from '../database/table-sql';
import { Session } from '../sessions/session.entity';
import { Target } from '../targets/target.entity';
import { TenantDatabase } from '../tenancy/tenant-database.service';
import { CreateJobDto, DEFAULT_MAX_ATTEMPTS } from './dto/create-job.dto';
import { JobLogsService } from './job-logs.service';
import { lockJob, updateJob } from './job-rows';
import { Job, JobStatus } from './job.entity';
import { requestHash } from './request-hash';

export interface CreatedJob {
  job: Job;
  /** False when an `Idempotency-Key` replay returned the job created the first time. */
  created: boolean;
}

export interface ListJobsOptions {
  limit: number;
  cursor?: string;
  status?: JobStatus;
  targetId?: string;
  sessionId?: string;
  type?: string;
}

@Injectable()
export class JobsService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly logs: JobLogsService,
  ) {}

  /**
   * Queues a job. With an idempotency key, the first request creates the job and every later one with the
   * same key gets that job back, or a 409 when its body differs (compared by a SHA-256 of the request with
   * defaults applied, so key order and spelled-out defaults do not matter). The key's unique index decides
   * between concurrent duplicates: `ON CONFLICT DO NOTHING` waits for the first insert, then finds its row.
   */
  async create(input: CreateJobDto, idempotencyKey?: string): Promise<CreatedJob> {
    const request = {
      targetId: input.targetId,
      sessionId: input.sessionId ?? null,
      type: input.type,
      payload: input.payload ?? {},
      priority: input.priority ?? 0,
      maxAttempts: input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      runAt: input.runAt === undefined ? null : new Date(input.runAt).toISOString(),
    };
    const hash = idempotencyKey === undefined ? null : requestHash(request);
    const manager = (await this.db.dataSource()).manager;
    for (let round = 0; round < 3; round += 1) {
      if (idempotencyKey !== undefined) {
        const existing = await this.findByKey(manager, idempotencyKey);
        if (existing) return this.replay(existing, hash);
      }
      const job = await this.insert(manager, request, idempotencyKey ?? null, hash);
      if (job) return { job, created: true };
      // Nothing inserted: the target or session is missing (404), or a concurrent request took the key
      // (the next round replays it; a few rounds cover a winner whose target was deleted meanwhile).
      await this.assertParentsExist(manager, request.targetId, request.sessionId);
    }
    throw new IdempotencyKeyReusedError();
  }

  async list(options: ListJobsOptions): Promise<Page<Job>> {
    const query = (await this.db.repository(Job)).createQueryBuilder('j');
    if (options.status !== undefined) query.andWhere('j.status = :status', { status: options.status });
    if (options.targetId !== undefined) query.andWhere('j.target_id = :targetId', { targetId: options.targetId });
    if (options.sessionId !== undefined) query.andWhere('j.session_id = :sessionId', { sessionId: options.sessionId });
    if (options.type !== undefined) query.andWhere('j.type = :type', { type: options.type });
    return newestFirstPage(query, options.limit, options.cursor);
  }

  async get(id: string): Promise<Job> {
    const job = await (await this.db.repository(Job)).findOneBy({ id });
    if (!job) throw new JobNotFoundError();
    return job;
  }

  /** A queued or running job becomes `cancelled`; the worker of a running one learns it from its next 409. */
  async cancel(id: string): Promise<Job> {
    return this.db.transaction(async (manager) => {
      const { job: before } = await lockJob(manager, id);
      if (before.status !== 'queued' && before.status !== 'running') throw new JobFinishedError(before.status);
      const job = await updateJob(
        manager,
        id,
        `"status" = 'cancelled', "lease_expires_at" = NULL, "finished_at" = now()`,
        [],
      );
      await this.logs.insert(manager, [
        {
          jobId: id,
          seq: job.logSeq,
          level: 'warn',
          message:
            before.status === 'running' ? `cancelled while running on ${before.workerId}` : 'cancelled while queued',
          data: {
            event: 'cancelled',
            previousStatus: before.status,
            workerId: before.status === 'running' ? before.workerId : null,
          },
        },
      ]);
      return job;
    });
  }

  private async insert(
    manager: EntityManager,
    request: {
      targetId: string;
      sessionId: string | null;
      type: string;
      payload: object;
      priority: number;
      maxAttempts: number;
      runAt: string | null;
    },
    idempotencyKey: string | null,
    hash: string | null,
  ): Promise<Job | undefined> {
    const now = new Date();
    try {
      const rows = await manager.query<Job[]>(
        `INSERT INTO ${tableOf(manager, Job)} ("id", "target_id", "session_id", "type", "payload", "status", "priority",
           "attempts", "max_attempts", "run_at", "idempotency_key", "request_hash", "log_seq", "created_at", "updated_at")
         SELECT $1::uuid, $2::uuid, $3::uuid, $4::text, $5::jsonb, 'queued', $6::smallint, 0, $7::integer,
                coalesce($8::timestamptz, now()), $9::text, $10::text, 0, $11::timestamptz, $11::timestamptz
          WHERE EXISTS (SELECT 1 FROM ${tableOf(manager, Target)} WHERE "id" = $2::uuid)
            AND ($3::uuid IS NULL OR EXISTS (SELECT 1 FROM ${tableOf(manager, Session)} WHERE "id" = $3::uuid AND "target_id" = $2::uuid))
         ON CONFLICT ("idempotency_key") WHERE "idempotency_key" IS NOT NULL DO NOTHING
         RETURNING ${columnsOf(manager, Job)}`,
        [
          randomUUID(),
          request.targetId,
          request.sessionId,
          request.type,
          JSON.stringify(request.payload),
          request.priority,
          request.maxAttempts,
          request.runAt,
          idempotencyKey,
          hash,
          now,
        ],
      );
      return rows[0];
    } catch (error) {
      // The foreign keys settle a race with a delete of the target.
      const { code, constraint } = postgresError(error);
      if (code === FOREIGN_KEY_VIOLATION && constraint === 'jobs_session_fkey') {
        throw new SessionNotFoundError('Session not found for this target');
      }
      if (code === FOREIGN_KEY_VIOLATION) throw new TargetNotFoundError();
      throw error;
    }
  }

  private async findByKey(manager: EntityManager, idempotencyKey: string): Promise<Job | null> {
    return manager.getRepository(Job).findOneBy({ idempotencyKey });
  }

  private async assertParentsExist(manager: EntityManager, targetId: string, sessionId: string | null): Promise<void> {
    if (!(await manager.existsBy(Target, { id: targetId }))) throw new TargetNotFoundError();
    if (sessionId !== null && !(await manager.existsBy(Session, { id: sessionId, targetId }))) {
      throw new SessionNotFoundError('Session not found for this target');
    }
  }

  private replay(existing: Job, hash: string | null): CreatedJob {
    if (existing.requestHash !== hash) throw new IdempotencyKeyReusedError();
    return { job: existing, created: false };
  }
}
