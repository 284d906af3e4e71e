import type { QueryRunner } from 'typeorm';
import { quoteSchema } from '../../database/schema-name';

/**
 * The lease sweeper and the scheduler look only at the tenants that `shared.job_lease_watch` and
 * `shared.schedule_watch` name, and a claim or a schedule write is what names a tenant there. A tenant that
 * arrives with rows (imported, cloned, adopted) has had neither, so its running jobs would stay `running` for
 * ever once their leases end, and its schedules would never fire. Inside the tenant's create transaction, this
 * names it where its rows need a look: at its earliest lease end, and now for its schedules (the scheduler's
 * first look settles the real time, or drops the row when none is enabled). One statement reads the tenant
 * schema, the others write the shared one.
 */
export async function watchArrivedWork(queryRunner: QueryRunner, schemaName: string, tenantId: string): Promise<void> {
  const schema = quoteSchema(schemaName);
  const [{ leaseEnd, schedules }]: Array<{ leaseEnd: Date | null; schedules: boolean }> = await queryRunner.query(
    `SELECT (SELECT min("lease_expires_at") FROM ${schema}."jobs" WHERE "status" = 'running') AS "leaseEnd",
            EXISTS (SELECT 1 FROM ${schema}."schedules") AS "schedules"`,
  );
  if (leaseEnd !== null) {
    await queryRunner.query(
      `INSERT INTO "shared"."job_lease_watch" ("tenant_id", "check_at", "version") VALUES ($1, $2, 1) ON CONFLICT ("tenant_id") DO NOTHING`,
      [tenantId, leaseEnd],
    );
  }
  if (schedules) {
    await queryRunner.query(
      `INSERT INTO "shared"."schedule_watch" ("tenant_id", "run_at", "version") VALUES ($1, now(), 1) ON CONFLICT ("tenant_id") DO NOTHING`,
      [tenantId],
    );
  }
}
