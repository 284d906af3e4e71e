import { Injectable, Logger } from '@nestjs/common';
import { JobNotFoundError, LeaseNotHeldError } from './jobs.errors';
import { EnvironmentVariables } from '../config/environment-variables';
import { DrainSignal } from '../common/drain-signal';
import { TenantContext } from '../tenancy/auth/tenant-context';
import { TenantDatabase } from '../tenancy/tenant-database.service';
import { JobWakeupsService, WaitEnd } from './job-wakeups.service';
import { LeaseExpiryService } from './lease-expiry.service';
import { LeaseWatchRepository } from './lease-watch.repository';
import { CompleteItemStatus, DEFAULT_LEASE_SECONDS } from './dto/worker.dto';
import { backoffSeconds } from './job-backoff';
import { serverLogEntry } from './server-log-entry';
import { JobQueueRepository, LockedLease } from './job-queue.repository';
import { JobLogRepository } from './job-log.repository';
import { CompletionItem, WorkerStatementsRepository } from './worker-statements.repository';
import { Job, JobProgress } from './job.entity';
import type { JsonObject } from '../common/json';
import { jobMetrics } from './job-metrics';

/** What one claim took, and the log notices still to send (with the watch row) when its statement sent none. */
interface ClaimedOnce {
  jobs: Job[];
  dueIn: number | null;
  notices: Array<[string, string]>;
}

/** Thrown inside a claim transaction whose client has gone, to roll it back. */
class ClientLeft extends Error {}

/** Lease expiries handled per claim, so one claim after a mass worker crash stays short; the next claims do the rest. */
const SWEEP_BATCH = 100;

export interface ClaimOptions {
  workerId: string;
  types?: string[];
  leaseSeconds?: number;
  /** Up to this many jobs (default 1). */
  limit?: number;
  /** With nothing due, wait up to this long for a job to become due (default 0). */
  waitSeconds?: number;
  /** Aborts when the client has gone: a waiting claim stops and claims nothing. */
  signal?: AbortSignal;
}

export interface CompleteItem {
  id: string;
  result?: JsonObject;
}

export interface FailOptions {
  workerId: string;
  error: string;
  retryable?: boolean;
  retryDelaySeconds?: number;
}

/**
 * The worker protocol. A lease is held while `lease_expires_at > now()` by the database clock; after that
 * the attempt counts as failed: heartbeat, complete and fail get 409, and the next claim requeues the job
 * (or fails it for good when its attempts are used up). Every state change writes its log entry in the
 * same transaction.
 */
@Injectable()
export class JobWorkerService {
  private readonly logger = new Logger(JobWorkerService.name);

  constructor(
    private readonly db: TenantDatabase,
    private readonly config: EnvironmentVariables,
    private readonly tenant: TenantContext,
    private readonly wakeups: JobWakeupsService,
    private readonly drain: DrainSignal,
    private readonly leases: LeaseExpiryService,
    private readonly watch: LeaseWatchRepository,
  ) {}

  /** Hands the next due job to one worker, or returns null; no job is handed out twice. */
  async claim(options: ClaimOptions): Promise<Job | null> {
    return (await this.claimMany({ ...options, limit: 1 }))[0] ?? null;
  }

  /**
   * Hands up to `limit` due jobs to one worker, best first (possibly none). With `waitSeconds`, a claim that
   * finds nothing waits — holding no connection — until a job of its types is announced, the next queued
   * one becomes due, the time is up, the app drains or the client leaves (`signal`: then it claims nothing, so
   * no job is leased to a worker that will never hear of it); then claims again.
   */
  async claimMany(options: ClaimOptions): Promise<Job[]> {
    const types = options.types && [...new Set(options.types)];
    const limit = options.limit ?? 1;
    const tenantId = this.tenant.tenant.id;
    const waitUntil = Date.now() + (options.waitSeconds ?? 0) * 1000;
    const stop = new AbortController();
    const abort = () => stop.abort();
    this.drain.signal.addEventListener('abort', abort);
    options.signal?.addEventListener('abort', abort);
    if (this.drain.draining || options.signal?.aborted) abort();
    try {
      let woken: WaitEnd = null;
      for (;;) {
        if (options.signal?.aborted) {
          if (woken) this.wakeups.passOn(tenantId, woken.woken);
          return [];
        }
        const waiting = Date.now() < waitUntil && !stop.signal.aborted;
        // Among the waiters before the claim looks, so a job announced while it looks is not slept through.
        const pending = waiting ? this.wakeups.enter(tenantId, types, limit) : null;
        let waitSeconds: number | null = null;
        try {
          const claimed = await this.claimOnce({ ...options, types, limit }, waiting);
          if (!claimed) continue; // the client left during the claim: rolled back, nothing leased
          const { jobs, dueIn, notices } = claimed;
          if (jobs.length > 0) await this.watchLeases(tenantId, jobs, notices);
          if (jobs.length > 0 || !waiting) return jobs;
          const remaining = (waitUntil - Date.now()) / 1000;
          waitSeconds = Math.min(remaining, dueIn ?? remaining);
        } finally {
          if (waitSeconds === null) pending?.leave();
        }
        woken = await pending!.wait(waitSeconds, stop.signal);
        if (this.drain.draining || (Date.now() >= waitUntil && !options.signal?.aborted)) return [];
      }
    } finally {
      this.drain.signal.removeEventListener('abort', abort);
      options.signal?.removeEventListener('abort', abort);
    }
  }

  /**
   * One claim: first as one statement (claim and log entries; their notices go with the watch row); when that
   * claimed nothing because a lease expired, whose rule comes first, as the claim transaction (lease expiry,
   * claim, log entries, and when to wake up). Null when the client left during either (then it rolls back, and
   * no job is leased).
   */
  private async claimOnce(options: ClaimOptions, waiting: boolean): Promise<ClaimedOnce | null> {
    const request = {
      workerId: options.workerId,
      leaseSeconds: options.leaseSeconds ?? DEFAULT_LEASE_SECONDS,
      types: options.types,
      limit: options.limit ?? 1,
    };
    const clientLeft = (jobs: Job[]) => {
      if (jobs.length && options.signal?.aborted) throw new ClientLeft();
    };
    if (!options.signal?.aborted) {
      const manager = (await this.db.dataSource()).manager;
      const claimed = await new WorkerStatementsRepository(manager).claim(request, clientLeft).catch((error: unknown) => {
        if (error instanceof ClientLeft) return null;
        throw error;
      });
      if (claimed === null) return null;
      const { jobs, leaseExpired } = claimed;
      if (jobs.length) {
        jobMetrics.claims.inc(jobs.length);
        const notices = new JobLogRepository(manager).notices(jobs.map((job) => ({ jobId: job.id, seq: job.logSeq })));
        return { jobs, dueIn: null, notices };
      }
      // Nothing due and no lease to expire: only a waiting claim needs to know more (when the next job is due).
      if (!leaseExpired && !waiting) return { jobs: [], dueIn: null, notices: [] };
      if (!leaseExpired) return { jobs: [], dueIn: await new JobQueueRepository(manager).secondsUntilNextDue(options.types), notices: [] };
    }
    const claimed = this.db.transaction(async (manager) => {
      const queue = new JobQueueRepository(manager);
      await queue.planClaimByIndex();
      await this.leases.expire(queue, this.tenant.tenant.id, SWEEP_BATCH);
      const jobs = await new WorkerStatementsRepository(manager).claimAfterExpiry(request);
      const dueIn = jobs.length === 0 && waiting ? await queue.secondsUntilNextDue(options.types) : null;
      clientLeft(jobs);
      // Sent with the watch row after the commit, as the one-statement claim's.
      const notices = new JobLogRepository(manager).notices(jobs.map((job) => ({ jobId: job.id, seq: job.logSeq })));
      return { jobs, dueIn, notices };
    });
    try {
      const result = await claimed;
      if (result.jobs.length) jobMetrics.claims.inc(result.jobs.length);
      return result;
    } catch (error) {
      if (error instanceof ClientLeft) return null;
      throw error;
    }
  }

  /**
   * After the commit, so a sweep that reads the watch row also sees these jobs running. The jobs are leased to
   * the worker by then, so a failure is logged, not answered: a 503 would leave them running under a worker that
   * never heard of them, each attempt spent on nothing. The row is then written by the sweeper's next tick
   * (`retryLater`), so a worker that dies with these jobs still has them swept; log streams read at their next
   * keep-alive.
   */
  private async watchLeases(tenantId: string, jobs: Job[], notices: Array<[string, string]>): Promise<void> {
    const at = jobs[0].leaseExpiresAt!;
    await this.watch.watch(tenantId, at, notices).catch((error: Error) => {
      this.watch.retryLater(tenantId, at);
      this.logger.warn(
        `lease watch of tenant ${tenantId} not written after a claim of ${jobs.length} job(s), left to the sweeper's next tick: ${error.message}`,
      );
    });
  }

  async heartbeat(
    id: string,
    workerId: string,
    leaseSeconds = DEFAULT_LEASE_SECONDS,
    progress?: JobProgress,
  ): Promise<Job> {
    return this.transaction(async (queue) => {
      await this.holdLease(queue, id, workerId);
      return queue.heartbeat(id, leaseSeconds, progress);
    });
  }

  async complete(id: string, workerId: string, result?: JsonObject): Promise<Job> {
    return this.transaction(async (queue) => {
      await this.holdLease(queue, id, workerId);
      const job = await queue.succeed(id, result ?? null);
      jobMetrics.completions.inc();
      await queue.logs.insertLogs([
        serverLogEntry(job, 'info', `completed by ${workerId} (attempt ${job.attempts})`, {
          event: 'completed',
          workerId,
          attempt: job.attempts,
        }),
      ]);
      return job;
    });
  }

  /**
   * Completes each item on its own: `succeeded` when this worker holds a live lease on it, `conflict` when not
   * (or when the item repeats one already completed), `not_found`. One statement for all, with their log
   * entries; then the log streams' notice.
   */
  async completeMany(workerId: string, items: CompleteItem[]): Promise<Array<{ id: string; status: CompleteItemStatus }>> {
    const first = new Map<string, CompletionItem>();
    for (const { id, result } of items) if (!first.has(id)) first.set(id, { id, result: result ?? null });
    const manager = (await this.db.dataSource()).manager;
    const rows = new Map((await new WorkerStatementsRepository(manager).complete(workerId, [...first.values()])).map((r) => [r.id, r]));
    const done = new Set<string>();
    const statuses = items.map(({ id }) => {
      const row = rows.get(id)!;
      if (!row.found) return { id, status: 'not_found' as const };
      if (row.logSeq === null || done.has(id)) return { id, status: 'conflict' as const };
      done.add(id);
      return { id, status: 'succeeded' as const };
    });
    if (done.size) {
      jobMetrics.completions.inc(done.size);
      const entries = [...done].map((id) => ({ jobId: id, seq: rows.get(id)!.logSeq! }));
      // The completions are committed: a lost notice only delays streams until their periodic read.
      await new JobLogRepository(manager).notify(entries).catch((error: Error) => this.logger.warn(`job log notice failed: ${error.message}`));
    }
    return statuses;
  }

  /** Queues the job again after a delay while attempts remain and the failure is retryable, else fails it. */
  async fail(id: string, options: FailOptions): Promise<Job> {
    return this.transaction(async (queue) => {
      const held = await this.holdLease(queue, id, options.workerId);
      const retryable = options.retryable ?? true;
      const retry = retryable && held.attempts < held.maxAttempts;
      const delay = options.retryDelaySeconds ?? this.backoff(held.attempts);
      const job = retry ? await queue.requeue(id, options.error, delay) : await queue.fail(id, options.error);
      if (retry) await this.wakeups.announce(queue, this.tenant.tenant.id, [{ type: job.type, in: delay }]);
      jobMetrics.failures.inc({ outcome: retry ? 'retried' : 'failed' });
      const attempt = `attempt ${job.attempts} of ${job.maxAttempts} failed`;
      const data = { workerId: options.workerId, attempt: job.attempts, error: options.error, retryable };
      const runAt = job.runAt.toISOString();
      await queue.logs.insertLogs([
        retry
          ? serverLogEntry(job, 'warn', `${attempt}; retrying at ${runAt}`, { event: 'retried', ...data, runAt })
          : serverLogEntry(job, 'error', `${attempt}; job failed`, { event: 'failed', ...data }),
      ]);
      return job;
    });
  }

  /** The locked job, if `workerId` holds a live lease on it; else 404 (no such job) or 409. */
  private async holdLease(queue: JobQueueRepository, id: string, workerId: string): Promise<Job> {
    const locked = await queue.lockJob(id);
    if (!locked) throw new JobNotFoundError();
    const { job, leaseLive } = locked;
    if (!this.holds({ status: job.status, workerId: job.workerId, leaseLive }, workerId)) throw new LeaseNotHeldError();
    return locked.job;
  }

  private holds({ status, workerId: holder, leaseLive }: Omit<LockedLease, 'id'>, workerId: string): boolean {
    return status === 'running' && holder === workerId && leaseLive;
  }

  private transaction<T>(work: (queue: JobQueueRepository) => Promise<T>): Promise<T> {
    return this.db.transaction((manager) => work(new JobQueueRepository(manager)));
  }

  private backoff(attempts: number): number {
    return backoffSeconds(attempts, this.config.JOB_BACKOFF_BASE_SECONDS, this.config.JOB_BACKOFF_MAX_SECONDS);
  }
}
