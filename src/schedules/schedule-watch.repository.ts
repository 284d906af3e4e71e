import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

const TABLE = '"shared"."schedule_watch"';
const TENANTS = '"shared"."tenants"';

export interface WatchedTenant {
  tenantId: string;
  schemaName: string;
  version: string;
}

/**
 * `shared.schedule_watch`: which tenants have enabled schedules and when their earliest one is due, so the
 * scheduler reads one small table per tick. Each statement touches the shared schema only.
 */
@Injectable()
export class ScheduleWatchRepository {
  constructor(private readonly shared: DataSource) {}

  /** After a schedule write committed: the tenant is looked at from `runAt` on, or earlier (primary key; EXCLUDED values). */
  async watch(tenantId: string, runAt: Date): Promise<void> {
    await this.shared.query(
      `INSERT INTO ${TABLE} AS w ("tenant_id", "run_at", "version") VALUES ($1, $2, 1)
       ON CONFLICT ("tenant_id") DO UPDATE SET "run_at" = LEAST(w."run_at", EXCLUDED."run_at"), "version" = w."version" + 1`,
      [tenantId, runAt],
    );
  }

  /**
   * Active tenants with a schedule due, earliest first (`schedule_watch_run_at_idx`, `tenants_pkey`). A
   * deactivated or deleted tenant's schedules wait; once active (or restored), each queues its one missed occurrence.
   */
  async due(limit: number): Promise<WatchedTenant[]> {
    return this.shared.query(
      `SELECT w."tenant_id" AS "tenantId", t."schema_name" AS "schemaName", w."version"::text AS "version"
         FROM ${TABLE} w JOIN ${TENANTS} t ON t."id" = w."tenant_id"
        WHERE w."run_at" <= now() AND t."is_active" AND t."deleted_at" IS NULL ORDER BY w."run_at" LIMIT $1`,
      [limit],
    );
  }

  /**
   * After a run: the next due time, or no row when no schedule is enabled — unless a schedule write bumped
   * `version` since the row was read, whose earlier-or-equal time then stands.
   */
  async moveOn(watched: WatchedTenant, nextRunAt: Date | null): Promise<void> {
    if (nextRunAt === null) {
      await this.shared.query(`DELETE FROM ${TABLE} WHERE "tenant_id" = $1 AND "version" = $2::bigint`, [
        watched.tenantId,
        watched.version,
      ]);
      return;
    }
    await this.shared.query(`UPDATE ${TABLE} SET "run_at" = $3 WHERE "tenant_id" = $1 AND "version" = $2::bigint`, [
      watched.tenantId,
      watched.version,
      nextRunAt,
    ]);
  }
}
