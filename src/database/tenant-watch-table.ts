import { DataSource } from 'typeorm';
import type { RunQuery } from './migrations/ledger-check';
import { FOREIGN_KEY_VIOLATION, postgresError } from './postgres-errors';

export interface WatchedTenant {
  tenantId: string;
  schemaName: string;
  version: string;
}

/** The shape of a watch table: its name, its time column and index, and which tenants' rows count as due. */
export interface WatchTableShape {
  /** Schema-qualified and quoted, e.g. `"shared"."job_lease_watch"`. */
  table: string;
  /** Quoted, e.g. `"check_at"`. */
  column: string;
  /** A condition on the tenant row `t` that a due tenant must meet too, e.g. `t."is_active"`; none by default. */
  tenantCondition?: string;
}

/**
 * A small shared table naming the tenants a background loop must look at and from when (one row per tenant:
 * `tenant_id`, a time column, `version`), so a tick reads one table however many tenant schemas there are.
 * Writers `watch` after their change commits; the loop reads `due` tenants and `moveOn`s each after its run,
 * unless a writer bumped `version` meanwhile, whose earlier-or-equal time then stands. Every statement touches
 * the shared schema only; the SQL is built from the constant shape, never from input.
 */
export abstract class TenantWatchTable {
  /** Watches that failed after their change had committed, by tenant (the earliest time): see `retryLater`. */
  private readonly failed = new Map<string, Date>();

  protected constructor(
    private readonly shared: DataSource,
    private readonly shape: WatchTableShape,
  ) {}

  /**
   * The tenant is looked at from `at` on, or earlier. With `notices` (`[channel, payload]`), those notifications go
   * in the same statement: one round trip, and on the coordinator under Citus (the shared schema stays there), where
   * every instance listens.
   */
  async watch(tenantId: string, at: Date, notices: Array<[string, string]> = []): Promise<void> {
    await watchTenant((sql, params) => this.shared.query(sql, params), this.shape, tenantId, at, notices);
  }

  /**
   * Keeps a watch that failed after its change committed (the change stands, so its writer answers it), for
   * `retryFailed` to write: without the row the loop would never look at the tenant. Kept in this process only.
   */
  retryLater(tenantId: string, at: Date): void {
    const kept = this.failed.get(tenantId);
    if (!kept || at < kept) this.failed.set(tenantId, at);
  }

  /**
   * Writes the watches `retryLater` kept, before the loop reads `due`. One that fails again stays for the next
   * call, unless its tenant is gone (purged: nothing left to watch). Returns the errors, for the loop to log.
   */
  async retryFailed(): Promise<Error[]> {
    const errors: Error[] = [];
    for (const [tenantId, at] of [...this.failed]) {
      try {
        await this.watch(tenantId, at);
      } catch (error) {
        // A foreign-key violation: `tenant_id` references `shared.tenants`, and the tenant is gone.
        if (postgresError(error).code !== FOREIGN_KEY_VIOLATION) {
          errors.push(error as Error);
          continue;
        }
      }
      // A `retryLater` meanwhile kept an earlier time: that one is still to write.
      if (this.failed.get(tenantId) === at) this.failed.delete(tenantId);
    }
    return errors;
  }

  /** Tenants whose time has come, earliest first (the time column's index, `tenants_pkey`). */
  async due(limit: number): Promise<WatchedTenant[]> {
    const { table, column, tenantCondition } = this.shape;
    return this.shared.query(
      `SELECT w."tenant_id" AS "tenantId", t."schema_name" AS "schemaName", w."version"::text AS "version"
         FROM ${table} w JOIN "shared"."tenants" t ON t."id" = w."tenant_id"
        WHERE w.${column} <= now()${tenantCondition ? ` AND ${tenantCondition}` : ''} ORDER BY w.${column} LIMIT $1`,
      [limit],
    );
  }

  /** After a run: the next time, or no row when there is nothing left to watch — unless `version` moved on. */
  async moveOn(watched: WatchedTenant, next: Date | null): Promise<void> {
    const { table, column } = this.shape;
    if (next === null) {
      await this.shared.query(`DELETE FROM ${table} WHERE "tenant_id" = $1 AND "version" = $2::bigint`, [
        watched.tenantId,
        watched.version,
      ]);
      return;
    }
    await this.shared.query(`UPDATE ${table} SET ${column} = $3 WHERE "tenant_id" = $1 AND "version" = $2::bigint`, [
      watched.tenantId,
      watched.version,
      next,
    ]);
  }
}

/**
 * The upsert behind `watch`, on any connection: a transaction's own (a tenant created with rows to watch) or the
 * shared pool. Primary key; EXCLUDED values, no now() in the SET; the earlier time stands.
 */
export async function watchTenant(
  query: RunQuery,
  shape: WatchTableShape,
  tenantId: string,
  at: Date,
  notices: Array<[string, string]> = [],
): Promise<void> {
  const { table, column } = shape;
  const upsert = `INSERT INTO ${table} AS w ("tenant_id", ${column}, "version") VALUES ($1, $2, 1)
     ON CONFLICT ("tenant_id") DO UPDATE SET ${column} = LEAST(w.${column}, EXCLUDED.${column}), "version" = w."version" + 1`;
  if (notices.length === 0) {
    await query(upsert, [tenantId, at]);
    return;
  }
  await query(
    `WITH watched AS (${upsert} RETURNING 1)
     SELECT pg_notify(n."channel", n."payload") FROM unnest($3::text[], $4::text[]) AS n("channel", "payload")`,
    [tenantId, at, notices.map(([channel]) => channel), notices.map(([, payload]) => payload)],
  );
}

/** `shared.job_lease_watch`: tenants that may hold running jobs, from their earliest lease end. */
export const JOB_LEASE_WATCH: WatchTableShape = { table: '"shared"."job_lease_watch"', column: '"check_at"' };

/** `shared.schedule_watch`: tenants with schedules, from their earliest due time; only active, undeleted ones are due. */
export const SCHEDULE_WATCH: WatchTableShape = {
  table: '"shared"."schedule_watch"',
  column: '"run_at"',
  tenantCondition: 't."is_active" AND t."deleted_at" IS NULL',
};
