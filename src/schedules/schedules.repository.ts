import type { EntityManager } from 'typeorm';
import { newestFirstPageOf } from '../common/keyset-page';
import type { Page } from '../common/pagination';
import { managerStatements } from '../database/entity-statements';
import { newestFirstStatement } from '../database/newest-first-statement';
import { FOREIGN_KEY_VIOLATION, postgresError } from '../database/postgres-errors';
import { columnsOf, tableOf } from '../database/table-sql';
import { Target } from '../targets/target.entity';
import { Schedule } from './schedule.entity';

/** A due schedule, locked, with the database clock of the transaction. */
export interface DueSchedule extends Schedule {
  nextRunAt: Date;
  dbNow: Date;
}

export interface Advance {
  id: string;
  lastRunAt: Date;
  nextRunAt: Date;
}

/**
 * Schedules as a collection, and the scheduler's statements, on one tenant's DataSource (tables named from
 * its entity metadata, never from input), in the caller's transaction. Each method names the index it uses.
 */
export class SchedulesRepository {
  private readonly schedules: string;
  private readonly targets: string;
  private readonly columns: string;

  constructor(private readonly manager: EntityManager) {
    this.schedules = tableOf(manager, Schedule);
    this.targets = tableOf(manager, Target);
    this.columns = columnsOf(manager, Schedule);
  }

  /** Inserts the schedule, or names the parent its foreign keys found missing (`targets_pkey`, `sessions_target_id_id_key`). */
  async insert(schedule: Schedule): Promise<'target' | 'session' | null> {
    try {
      await this.manager.insert(Schedule, schedule);
      return null;
    } catch (error) {
      return this.missingParent(error);
    }
  }

  /** Writes the changed schedule (`schedules_pkey`), or names the missing parent of its new job target or session. */
  async update(schedule: Schedule): Promise<'target' | 'session' | null> {
    try {
      const { id, ...fields } = schedule;
      await this.manager.update(Schedule, { id }, fields);
      return null;
    } catch (error) {
      return this.missingParent(error);
    }
  }

  async lock(id: string): Promise<Schedule | null> {
    return this.manager.findOne(Schedule, { where: { id }, lock: { mode: 'for_no_key_update' } });
  }

  async remove(id: string): Promise<boolean> {
    return ((await this.manager.delete(Schedule, { id })).affected ?? 0) > 0;
  }

  async page(limit: number, cursor?: string): Promise<Page<Schedule>> {
    return newestFirstPageOf(newestFirstStatement(managerStatements(this.manager, Schedule), []), limit, cursor);
  }

  /**
   * Up to `limit` enabled schedules due by the database clock, earliest first, locked `FOR UPDATE SKIP LOCKED`
   * so two schedulers never take the same one (`schedules_due_idx`). Their targets are locked `FOR KEY SHARE`
   * first, in id order — what the jobs' foreign keys would take — so a concurrent delete of a target waits
   * for this transaction instead of deadlocking with it over the schedule rows its cascade deletes.
   */
  async lockDue(limit: number): Promise<DueSchedule[]> {
    const due = `"enabled" AND "next_run_at" <= now()`;
    const targets = await this.manager.query<Array<{ id: string }>>(
      `SELECT "id" FROM ${this.targets} WHERE "id" IN (SELECT "target_id" FROM ${this.schedules} WHERE ${due})
        ORDER BY "id" FOR KEY SHARE`,
    );
    if (targets.length === 0) return [];
    return this.manager.query<DueSchedule[]>(
      `SELECT ${this.columns}, now() AS "dbNow" FROM ${this.schedules}
        WHERE ${due} AND "target_id" = ANY($1::uuid[])
        ORDER BY "next_run_at" LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [targets.map((target) => target.id), limit],
    );
  }

  /** The scheduler moved these schedules on, in one statement (`schedules_pkey`); `updated_at` is the API's. */
  async advance(items: Advance[]): Promise<void> {
    if (items.length === 0) return;
    const values = items.map((_, i) => `($${3 * i + 1}::uuid, $${3 * i + 2}::timestamptz, $${3 * i + 3}::timestamptz)`);
    await this.manager.query(
      `UPDATE ${this.schedules} AS s SET "last_run_at" = v."last_run_at", "next_run_at" = v."next_run_at"
         FROM (VALUES ${values.join(', ')}) AS v("id", "last_run_at", "next_run_at")
        WHERE s."id" = v."id"`,
      items.flatMap((item) => [item.id, item.lastRunAt, item.nextRunAt]),
    );
  }

  /** When the earliest enabled schedule is due, or null when none is enabled (`schedules_due_idx`). */
  async earliestDue(): Promise<Date | null> {
    const rows = await this.manager.query<Array<{ at: Date | null }>>(
      `SELECT min("next_run_at") AS "at" FROM ${this.schedules} WHERE "enabled"`,
    );
    return rows[0]?.at ?? null;
  }

  private missingParent(error: unknown): 'target' | 'session' {
    const { code, constraint } = postgresError(error);
    if (code !== FOREIGN_KEY_VIOLATION) throw error;
    return constraint === 'schedules_session_fkey' ? 'session' : 'target';
  }
}
