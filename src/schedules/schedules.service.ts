import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { Page } from '../common/pagination';
import { DEFAULT_MAX_ATTEMPTS } from '../jobs/dto/create-job.dto';
import { JobsRepository } from '../jobs/jobs.repository';
import { SessionNotFoundError } from '../sessions/sessions.errors';
import { TargetNotFoundError } from '../targets/targets.errors';
import { TenantContext } from '../tenancy/auth/tenant-context';
import { TenantDatabase } from '../tenancy/tenant-database.service';
import { nextOccurrence } from './cron-schedule';
import { CreateScheduleDto, DEFAULT_TIMEZONE, ScheduleJobDto, UpdateScheduleDto } from './dto/schedule.dto';
import { Schedule } from './schedule.entity';
import { ScheduleWatchRepository } from './schedule-watch.repository';
import { CronHasNoOccurrenceError, ScheduleNotFoundError } from './schedules.errors';
import { SchedulesRepository } from './schedules.repository';

/** A foreign key found the job's target or session missing inside a transaction (rolled back): told apart after it. */
class MissingParent extends Error {
  constructor(
    readonly hint: 'target' | 'session',
    readonly job: Pick<Schedule, 'targetId' | 'sessionId'>,
  ) {
    super(hint);
  }
}

/**
 * Schedules of the calling tenant. Every write that may leave a schedule enabled tells `shared.schedule_watch`
 * twice (the earliest due time wins): before its transaction, so that a failure there fails the request before
 * anything is written (a watch row with nothing due costs the scheduler one look and is then dropped), and again
 * after its commit, so that a scheduler tick that ran in between (and moved the row on from the old state) is
 * overruled. The second write only narrows that window: if it fails, the change has committed and the answer
 * says so; the first row still stands unless a tick ran between the two.
 */
@Injectable()
export class SchedulesService {
  private readonly logger = new Logger(SchedulesService.name);

  constructor(
    private readonly db: TenantDatabase,
    private readonly tenant: TenantContext,
    private readonly watch: ScheduleWatchRepository,
  ) {}

  async create(input: CreateScheduleDto): Promise<Schedule> {
    const now = new Date();
    const timezone = input.timezone ?? DEFAULT_TIMEZONE;
    const enabled = input.enabled ?? true;
    const schedule = Object.assign(new Schedule(), {
      id: randomUUID(),
      name: input.name,
      cron: input.cron,
      timezone,
      ...jobColumns(input.job),
      enabled,
      nextRunAt: enabled ? firstRun(input.cron, timezone, now) : null,
      lastRunAt: null,
      createdAt: now,
      updatedAt: now,
    });
    if (schedule.nextRunAt) await this.watchFrom(schedule.nextRunAt);
    const missing = await (await this.schedules()).insert(schedule);
    if (missing) throw await this.parentNotFound(schedule, missing);
    await this.watched(schedule);
    return schedule;
  }

  async list(limit: number, cursor?: string): Promise<Page<Schedule>> {
    return (await this.schedules()).page(limit, cursor);
  }

  async get(id: string): Promise<Schedule> {
    const schedule = await (await this.db.repository(Schedule)).findOneBy({ id });
    if (!schedule) throw new ScheduleNotFoundError();
    return schedule;
  }

  /** Only the fields present change; a new `cron`, `timezone` or `enabled` recomputes `nextRunAt` from now. */
  async update(id: string, changes: UpdateScheduleDto): Promise<Schedule> {
    // The new next run is only known inside the transaction: watched from now, the scheduler finds it.
    const mayEnable = changes.cron !== undefined || changes.timezone !== undefined || changes.enabled === true;
    if (mayEnable) await this.watchFrom(new Date());
    let changed: Schedule;
    try {
      changed = await this.db.transaction(async (manager) => {
        const schedules = new SchedulesRepository(manager);
        const schedule = await schedules.lock(id);
        if (!schedule) throw new ScheduleNotFoundError();
        const now = new Date();
        if (changes.name !== undefined) schedule.name = changes.name;
        if (changes.cron !== undefined) schedule.cron = changes.cron;
        if (changes.timezone !== undefined) schedule.timezone = changes.timezone;
        if (changes.enabled !== undefined) schedule.enabled = changes.enabled;
        if (changes.job !== undefined) Object.assign(schedule, jobColumns(changes.job));
        if (changes.cron !== undefined || changes.timezone !== undefined || changes.enabled !== undefined) {
          schedule.nextRunAt = schedule.enabled ? firstRun(schedule.cron, schedule.timezone, now) : null;
        }
        schedule.updatedAt = now;
        const missing = await schedules.update(schedule);
        if (missing) throw new MissingParent(missing, schedule);
        return schedule;
      });
    } catch (error) {
      if (error instanceof MissingParent) throw await this.parentNotFound(error.job, error.hint);
      throw error;
    }
    await this.watched(changed);
    return changed;
  }

  async delete(id: string): Promise<void> {
    if (!(await (await this.schedules()).remove(id))) throw new ScheduleNotFoundError();
  }

  private watchFrom(at: Date): Promise<void> {
    return this.watch.watch(this.tenant.tenant.id, at);
  }

  /** After the commit: a failure is logged, not answered (the change is made, and the row written before it stands). */
  private async watched(schedule: Schedule): Promise<void> {
    if (!schedule.nextRunAt) return;
    await this.watchFrom(schedule.nextRunAt).catch((error: Error) =>
      this.logger.warn(`schedule ${schedule.id} of tenant ${this.tenant.tenant.id}: watch row not refreshed after commit: ${error.message}`),
    );
  }

  /** The 404 for a missing target, or a session not of the target (the composite key cannot tell them apart). */
  private async parentNotFound(job: Pick<Schedule, 'targetId' | 'sessionId'>, hint: 'target' | 'session'): Promise<Error> {
    const jobs = new JobsRepository((await this.db.dataSource()).manager);
    const missing = (await jobs.firstMissingParent([job]))?.missing ?? hint;
    return missing === 'target' ? new TargetNotFoundError() : new SessionNotFoundError('Session not found for this target');
  }

  private async schedules(): Promise<SchedulesRepository> {
    return new SchedulesRepository((await this.db.dataSource()).manager);
  }
}

/** The job template with the defaults of `POST /jobs` applied. */
function jobColumns(job: ScheduleJobDto) {
  return {
    targetId: job.targetId,
    sessionId: job.sessionId ?? null,
    jobType: job.type,
    jobPayload: job.payload ?? {},
    jobPriority: job.priority ?? 0,
    jobMaxAttempts: job.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
  };
}

function firstRun(cron: string, timezone: string, now: Date): Date {
  try {
    return nextOccurrence(cron, timezone, now);
  } catch {
    throw new CronHasNoOccurrenceError();
  }
}
