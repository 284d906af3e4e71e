import type { QueryRunner } from 'typeorm';
import { quoteSchema } from '../../database/schema-name';
import { JOB_LEASE_WATCH, SCHEDULE_WATCH, watchTenant } from '../../database/tenant-watch-table';

/**
 * The lease sweeper and the scheduler look only at the tenants that `shared.job_lease_watch` and
 * `shared.schedule_watch` name, and a claim or a schedule write is what names a tenant there. A tenant that
 * arrives with rows (imported, cloned, adopted) has had neither, so its running jobs would stay `running` for
 * ever once their leases end, and its schedules would never fire. Inside the tenant's create transaction, this
 * names it where its rows need a look: at its earliest lease end, and now for its schedules (the scheduler's
 * first look settles the real time, or drops the row when none is enabled). One statement reads the tenant
 * schema, the others write the shared one (the watch tables' own upsert).
 */
export async function watchArrivedWork(queryRunner: QueryRunner, schemaName: string, tenantId: string): Promise<void> {
  const schema = quoteSchema(schemaName);
  const query = (sql: string, params?: unknown[]) => queryRunner.query(sql, params);
  const [{ leaseEnd, schedules, now }]: Array<{ leaseEnd: Date | null; schedules: boolean; now: Date }> = await queryRunner.query(
    `SELECT (SELECT min("lease_expires_at") FROM ${schema}."jobs" WHERE "status" = 'running') AS "leaseEnd",
            EXISTS (SELECT 1 FROM ${schema}."schedules") AS "schedules", now() AS "now"`,
  );
  if (leaseEnd !== null) await watchTenant(query, JOB_LEASE_WATCH, tenantId, new Date(leaseEnd));
  if (schedules) await watchTenant(query, SCHEDULE_WATCH, tenantId, new Date(now));
}
