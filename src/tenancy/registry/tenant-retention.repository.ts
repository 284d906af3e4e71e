import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Tenant } from './tenant.entity';

const TENANTS = '"shared"."tenants"';

export interface DeletionMarks {
  deletedAt: Date | null;
  purgeAfter: Date | null;
  updatedAt: Date;
}

/** The statements of soft delete, restore and purge on `shared.tenants` (shared schema only, database clock). */
@Injectable()
export class TenantRetentionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Deleted now, purged `retentionDays` from now (primary key). */
  async markDeleted(manager: EntityManager, tenantId: string, retentionDays: number): Promise<DeletionMarks> {
    // TypeORM answers an UPDATE … RETURNING as [rows, count].
    const [rows]: [DeletionMarks[], number] = await manager.query(
      `UPDATE ${TENANTS} AS t
          SET "deleted_at" = n."now", "purge_after" = n."now" + make_interval(days => $2::int), "updated_at" = n."now"
         FROM (SELECT now() AS "now") n
        WHERE t."id" = $1
       RETURNING t."deleted_at" AS "deletedAt", t."purge_after" AS "purgeAfter", t."updated_at" AS "updatedAt"`,
      [tenantId, retentionDays],
    );
    return rows[0];
  }

  /** Live again (primary key). */
  async markRestored(manager: EntityManager, tenantId: string): Promise<DeletionMarks> {
    const [rows]: [DeletionMarks[], number] = await manager.query(
      `UPDATE ${TENANTS} AS t SET "deleted_at" = NULL, "purge_after" = NULL, "updated_at" = n."now"
         FROM (SELECT now() AS "now") n
        WHERE t."id" = $1
       RETURNING t."deleted_at" AS "deletedAt", t."purge_after" AS "purgeAfter", t."updated_at" AS "updatedAt"`,
      [tenantId],
    );
    return rows[0];
  }

  /** Ids of deleted tenants whose purge time has come, earliest first (`tenants_purge_after_idx`). */
  async due(limit: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT "id" FROM ${TENANTS} WHERE "purge_after" <= now() ORDER BY "purge_after", "id" LIMIT $1`,
      [limit],
    );
    return rows.map((row) => row.id);
  }

  /** The tenant, locked, if it is still due (not restored or purged meanwhile); primary key. */
  async lockIfDue(manager: EntityManager, tenantId: string): Promise<Tenant | null> {
    return manager
      .createQueryBuilder(Tenant, 't')
      .setLock('pessimistic_write')
      .where('t.id = :tenantId', { tenantId })
      .andWhere('t.purge_after <= now()')
      .getOne();
  }

  /**
   * The purge lock of the whole registry, for the rest of the transaction: one instance purges at a time.
   * `wait: false` answers false at once when another holds it (a timer then leaves the work to that one).
   */
  async lockPurge(manager: EntityManager, wait: boolean): Promise<boolean> {
    if (wait) {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('tenantry:purge')) AS "locked"`);
      return true;
    }
    const rows: Array<{ locked: boolean }> = await manager.query(`SELECT pg_try_advisory_xact_lock(hashtext('tenantry:purge')) AS "locked"`);
    return rows[0].locked;
  }

  async remove(manager: EntityManager, tenantId: string): Promise<void> {
    // The keys and the lease watch go with the row (ON DELETE CASCADE); the audit events have no foreign key and stay.
    await manager.delete(Tenant, { id: tenantId });
  }
}
