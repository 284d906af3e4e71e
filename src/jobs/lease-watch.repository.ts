import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

const TABLE = '"shared"."job_lease_watch"';
const TENANTS = '"shared"."tenants"';

export interface WatchedTenant {
  tenantId: string;
  schemaName: string;
  version: string;
}

/**
 * `shared.job_lease_watch`: which tenants may hold running jobs and when the earliest lease ends, so the
 * sweeper reads one small table per tick. Each statement touches the shared schema only.
 */
@Injectable()
export class LeaseWatchRepository {
  constructor(private readonly shared: DataSource) {}

  /** After a claim committed: the tenant is watched from `checkAt` on, or earlier (primary key; EXCLUDED values). */
  async watch(tenantId: string, checkAt: Date): Promise<void> {
    await this.shared.query(
      `INSERT INTO ${TABLE} AS w ("tenant_id", "check_at", "version") VALUES ($1, $2, 1)
       ON CONFLICT ("tenant_id") DO UPDATE SET "check_at" = LEAST(w."check_at", EXCLUDED."check_at"), "version" = w."version" + 1`,
      [tenantId, checkAt],
    );
  }

  /** Tenants whose check time has come, earliest first (`job_lease_watch_check_at_idx`, `tenants_pkey`). */
  async due(limit: number): Promise<WatchedTenant[]> {
    return this.shared.query(
      `SELECT w."tenant_id" AS "tenantId", t."schema_name" AS "schemaName", w."version"::text AS "version"
         FROM ${TABLE} w JOIN ${TENANTS} t ON t."id" = w."tenant_id"
        WHERE w."check_at" <= now() ORDER BY w."check_at" LIMIT $1`,
      [limit],
    );
  }

  /**
   * After a sweep: the next check, or no row when nothing runs — unless a claim wrote the row since it was
   * read (`version` moved on), whose earlier-or-equal check time then stands.
   */
  async moveOn(watched: WatchedTenant, nextCheckAt: Date | null): Promise<void> {
    if (nextCheckAt === null) {
      await this.shared.query(`DELETE FROM ${TABLE} WHERE "tenant_id" = $1 AND "version" = $2::bigint`, [
        watched.tenantId,
        watched.version,
      ]);
      return;
    }
    await this.shared.query(`UPDATE ${TABLE} SET "check_at" = $3 WHERE "tenant_id" = $1 AND "version" = $2::bigint`, [
      watched.tenantId,
      watched.version,
      nextCheckAt,
    ]);
  }
}
