import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import {
  BatchParentNotFoundError,
  IdempotencyKeyReusedError,
  JobFinishedError,
  JobNotFoundError,
  JobNotRetryableError,
} from './jobs.errors';
import { SessionNotFoundError } from '../sessions/sessions.errors';
import { TargetNotFoundError } from '../targets/targets.errors';
import type { Page } from '../common/pagination';
import { TenantContext } from '../tenancy/auth/tenant-context';
import { TenantDatabase } from '../tenancy/tenant-database.service';
import { JobWakeupsService } from './job-wakeups.service';
import { CreateJobDto, DEFAULT_MAX_ATTEMPTS } from './dto/create-job.dto';
import { JobQueueRepository } from './job-queue.repository';
import { JobListFilter, JobsRepository, NewJob } from './jobs.repository';
import { Job } from './job.entity';
import { requestHash } from './request-hash';
import { serverLogEntry } from './server-log-entry';

export interface CreatedJob {
  job: Job;
  /** False when an `Idempotency-Key` replay returned the job created the first time. */
  created: boolean;
}

export interface ListJobsOptions extends JobListFilter {
  limit: number;
  cursor?: string;
}

@Injectable()
export class JobsService {
  private readonly logger = new Logger(JobsService.name);

  constructor(
    private readonly db: TenantDatabase,
    private readonly tenant: TenantContext,
    private readonly wakeups: JobWakeupsService,
  ) {}

  /**
   * Queues a job. With an idempotency key, the first request creates the job and every later one with the
   * same key gets that job back, or a 409 when its body differs (compared by a SHA-256 of the request with
   * defaults applied, so key order and spelled-out defaults do not matter). The key's unique index decides
   * between concurrent duplicates: the insert of the second waits for the first, then inserts nothing, and
   * the next round finds the winner's row.
   */
  async create(input: CreateJobDto, idempotencyKey?: string): Promise<CreatedJob> {
    const request = this.request(input);
    const hash = idempotencyKey === undefined ? null : requestHash(request);
    const jobs = await this.jobs();
    for (let round = 0; round < 3; round += 1) {
      if (idempotencyKey !== undefined) {
        const existing = await jobs.findByIdempotencyKey(idempotencyKey);
        if (existing) return this.replay(existing, hash);
      }
      const row: NewJob = { id: randomUUID(), ...request, idempotencyKey: idempotencyKey ?? null, requestHash: hash };
      const outcome = await jobs.insertJobs([row], new Date());
      if ('missing' in outcome) throw await this.parentNotFound(jobs, row, outcome.missing);
      if (outcome.inserted[0]) {
        await this.announce(outcome.inserted);
        return { job: outcome.inserted[0], created: true };
      }
      // Nothing inserted: a concurrent request took the key; the next round replays its job (a few rounds
      // cover a winner deleted meanwhile with its target).
    }
    throw new IdempotencyKeyReusedError();
  }

  /** Queues 1–1000 jobs in one statement: all of them, or none and a 404 naming the item whose parent is missing. */
  async createBatch(inputs: CreateJobDto[]): Promise<Job[]> {
    const rows = inputs.map((input) => ({ id: randomUUID(), ...this.request(input), idempotencyKey: null, requestHash: null }));
    const jobs = await this.jobs();
    const outcome = await jobs.insertJobs(rows, new Date());
    if ('missing' in outcome) {
      const first = await jobs.firstMissingParent(rows);
      throw first ? new BatchParentNotFoundError(first.index, first.missing) : new TargetNotFoundError();
    }
    await this.announce(outcome.inserted);
    return outcome.inserted;
  }

  async list(options: ListJobsOptions): Promise<Page<Job>> {
    return (await this.jobs()).listJobs(options);
  }

  async get(id: string): Promise<Job> {
    const job = await (await this.db.repository(Job)).findOneBy({ id });
    if (!job) throw new JobNotFoundError();
    return job;
  }

  /** A queued or running job becomes `cancelled`; the worker of a running one learns it from its next 409. */
  async cancel(id: string): Promise<Job> {
    return this.db.transaction(async (manager) => {
      const queue = new JobQueueRepository(manager);
      const locked = await queue.lockJob(id);
      if (!locked) throw new JobNotFoundError();
      const before = locked.job;
      if (before.status !== 'queued' && before.status !== 'running') throw new JobFinishedError(before.status);
      const job = await queue.cancel(id);
      const running = before.status === 'running';
      await queue.logs.insertLogs([
        serverLogEntry(job, 'warn', running ? `cancelled while running on ${before.workerId}` : 'cancelled while queued', {
          event: 'cancelled',
          previousStatus: before.status,
          workerId: running ? before.workerId : null,
        }),
      ]);
      return job;
    });
  }

  /** A failed or cancelled job queued again, due now, with its attempts reset; 409 for any other status. */
  async retry(id: string): Promise<Job> {
    return this.db.transaction(async (manager) => {
      const queue = new JobQueueRepository(manager);
      const locked = await queue.lockJob(id);
      if (!locked) throw new JobNotFoundError();
      const before = locked.job;
      if (before.status !== 'failed' && before.status !== 'cancelled') throw new JobNotRetryableError(before.status);
      const job = await queue.retry(id);
      await this.wakeups.announce(queue, this.tenant.tenant.id, [{ type: job.type, in: 0 }]);
      await queue.logs.insertLogs([
        serverLogEntry(job, 'info', `queued again by request (was ${before.status} after ${before.attempts} attempts)`, {
          event: 'requeued',
          previousStatus: before.status,
          previousAttempts: before.attempts,
        }),
      ]);
      return job;
    });
  }

  /**
   * Wakes waiting claims of the tenant on every instance. The jobs are committed already, so a failure here is
   * logged, not answered: a 503 would have the client create them again. A lost wake-up only delays waiting
   * claims to the end of their wait (their workers then claim again and find the jobs).
   */
  private async announce(jobs: Job[]): Promise<void> {
    const queue = new JobQueueRepository((await this.db.dataSource()).manager);
    const now = Date.now();
    await this.wakeups
      .announce(queue, this.tenant.tenant.id, jobs.map((job) => ({ type: job.type, in: (+job.runAt - now) / 1000 })))
      .catch((error: Error) => this.logger.warn(`wake-up of waiting claims not sent after ${jobs.length} job(s) were queued: ${error.message}`));
  }

  /** The request with its defaults applied: what is stored, and what an idempotency key's hash covers. */
  private request(input: CreateJobDto) {
    return {
      targetId: input.targetId,
      sessionId: input.sessionId ?? null,
      type: input.type,
      payload: input.payload ?? {},
      priority: input.priority ?? 0,
      maxAttempts: input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      runAt: input.runAt === undefined ? null : new Date(input.runAt).toISOString(),
    };
  }

  /**
   * The 404 for a job whose target or session a foreign key found missing. The session's key covers
   * `(target_id, session_id)`, so the target is looked up to tell a missing target from a foreign session.
   */
  private async parentNotFound(jobs: JobsRepository, row: NewJob, hint: 'target' | 'session'): Promise<Error> {
    const missing = (await jobs.firstMissingParent([row]))?.missing ?? hint;
    return missing === 'target' ? new TargetNotFoundError() : new SessionNotFoundError('Session not found for this target');
  }

  private async jobs(): Promise<JobsRepository> {
    return new JobsRepository((await this.db.dataSource()).manager);
  }

  private replay(existing: Job, hash: string | null): CreatedJob {
    if (existing.requestHash !== hash) throw new IdempotencyKeyReusedError();
    return { job: existing, created: false };
  }
}
