import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DrainSignal } from '../common/drain-signal';
import { PeriodicTask } from '../common/periodic-task';
import { EnvironmentVariables } from '../config/environment-variables';
import { TenantConnectionProvider } from '../database/tenant-connections/tenant-connection.provider';
import { JobQueueRepository } from '../jobs/job-queue.repository';
import { JobWakeupsService } from '../jobs/job-wakeups.service';
import { JobsRepository, NewJob } from '../jobs/jobs.repository';
import { nextOccurrence } from './cron-schedule';
import { scheduledJob } from './schedule.entity';
import { ScheduleWatchRepository, WatchedTenant } from './schedule-watch.repository';
import { DueSchedule, SchedulesRepository } from './schedules.repository';

/** Tenants and schedules handled per tick; the rest wait for the next tick (at once: their time has come). */
const TENANTS_PER_TICK = 100;
const SCHEDULES_PER_TENANT = 500;

/** The idempotency key of a schedule's occurrence: a second job for it is never inserted (`jobs_idempotency_key_key`). */
export function occurrenceKey(scheduleId: string, occurrence: Date): string {
  return `schedule:${scheduleId}:${occurrence.toISOString()}`;
}

/**
 * Queues the jobs of due schedules in every tenant. Each tick reads `shared.schedule_watch` for the tenants
 * whose earliest schedule is due (one query, however many tenant schemas there are), then runs each of them
 * in one transaction of its own schema under an advisory lock. A due schedule queues one job for its
 * `next_run_at` — keyed by schedule and occurrence, so it is never queued twice — and moves on to its first
 * occurrence after now in the same transaction: after downtime, one missed occurrence is queued, not all.
 */
@Injectable()
export class ScheduleRunnerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ScheduleRunnerService.name);
  private readonly loop = new PeriodicTask(() => this.tick(), () => this.drain.draining);

  constructor(
    private readonly config: EnvironmentVariables,
    private readonly drain: DrainSignal,
    private readonly watch: ScheduleWatchRepository,
    private readonly connections: TenantConnectionProvider,
    private readonly wakeups: JobWakeupsService,
  ) {}

  onApplicationBootstrap(): void {
    this.loop.start(this.config.SCHEDULE_TICK_SECONDS * 1000);
  }

  onApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  /** One run of every tenant with a schedule due; a tenant's failure is logged and does not stop the others. */
  async tick(): Promise<void> {
    try {
      for (const watched of await this.watch.due(TENANTS_PER_TICK)) {
        if (this.drain.draining) return;
        await this.run(watched).catch((error: Error) =>
          this.logger.warn(`schedules of tenant ${watched.tenantId} failed: ${error.message}`),
        );
      }
    } catch (error) {
      this.logger.warn(`schedule tick failed: ${(error as Error).message}`);
    }
  }

  private async run(watched: WatchedTenant): Promise<void> {
    const lease = await this.connections.acquire(watched.schemaName);
    try {
      const outcome = await lease.dataSource.transaction(async (manager) => {
        const queue = new JobQueueRepository(manager);
        if (!(await queue.tryLock(`schedules:${watched.tenantId}`))) return 'skipped' as const;
        const schedules = new SchedulesRepository(manager);
        const due = await schedules.lockDue(SCHEDULES_PER_TENANT);
        if (due.length > 0) await this.enqueue(manager, queue, schedules, watched.tenantId, due);
        // A full batch leaves more for the next tick at once.
        return due.length === SCHEDULES_PER_TENANT ? due[0].dbNow : await schedules.earliestDue();
      });
      if (outcome !== 'skipped') await this.watch.moveOn(watched, outcome);
    } finally {
      lease.release();
    }
  }

  private async enqueue(
    manager: EntityManager,
    queue: JobQueueRepository,
    schedules: SchedulesRepository,
    tenantId: string,
    due: DueSchedule[],
  ): Promise<void> {
    const now = due[0].dbNow;
    const rows: NewJob[] = due.map((schedule) => ({
      id: randomUUID(),
      ...scheduledJob(schedule),
      runAt: schedule.nextRunAt.toISOString(),
      idempotencyKey: occurrenceKey(schedule.id, schedule.nextRunAt),
      requestHash: null,
    }));
    const outcome = await new JobsRepository(manager).insertJobs(rows, new Date());
    // The schedules' own foreign keys (cascading) and the targets locked above keep every parent in place.
    if ('missing' in outcome) throw new Error(`a scheduled job's ${outcome.missing} is missing`);
    await schedules.advance(
      due.map((schedule) => ({
        id: schedule.id,
        lastRunAt: schedule.nextRunAt,
        nextRunAt: nextOccurrence(schedule.cron, schedule.timezone, new Date(Math.max(+now, +schedule.nextRunAt))),
      })),
    );
    // Sent in this transaction: delivered when it commits, like a job created through the API.
    if (outcome.inserted.length) await this.wakeups.announce(queue, tenantId, outcome.inserted.map((job) => ({ type: job.type, in: 0 })));
  }
}
