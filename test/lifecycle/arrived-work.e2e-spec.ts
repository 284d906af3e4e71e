import { LeaseSweeperService } from '../../src/jobs/lease-sweeper.service';
import { ScheduleRunnerService } from '../../src/schedules/schedule-runner.service';
import { TenantAdoptService } from '../../src/tenancy/lifecycle/tenant-adopt.service';
import { exportArchive, importArchive } from '../utils/archive';
import { claim, createJob, createTarget, tenantClient, type TenantClient } from '../utils/domain-fixtures';
import { legacySchema } from '../utils/legacy-schema';
import { createTestApp, TEST_ADMIN_KEY, TestApp, uniqueSlug } from '../utils/test-app';

/**
 * A tenant that arrives with rows (import, clone, adopt) gets the background work those rows call for, as a
 * tenant that made them through the API does: a running job whose worker is gone is requeued once its lease
 * ends, and a due schedule queues its job — each without any request to the new tenant.
 */
describe('work that arrives with a tenant: running leases and schedules are watched', () => {
  let t: TestApp;
  let source: TenantClient;
  let counter = 0;

  beforeAll(async () => {
    // The loops run only when the test ticks them.
    t = await createTestApp({ JOB_SWEEP_INTERVAL_SECONDS: '3600', SCHEDULE_TICK_SECONDS: '60' });
    source = await tenantClient(t);
    const target = await createTarget(source);
    const job = await createJob(source, target.id, { type: 'leased' });
    expect((await claim(source, 'gone-worker', { leaseSeconds: 3600 }))?.id).toBe(job.id);
    // The worker died: its lease has ended, and the source's own watch row is not due yet.
    await source.sql(`UPDATE $schema."jobs" SET "lease_expires_at" = now() - interval '1 minute' WHERE "id" = $1`, [job.id]);
    await source
      .post('/schedules', { name: 'every-minute', cron: '* * * * *', job: { targetId: target.id, type: 'scheduled' } })
      .expect(201);
    await source.sql(`UPDATE $schema."schedules" SET "next_run_at" = now() - interval '1 minute'`);
    // The source keeps these rows for every copy: the loops never look at it.
    await t.db.query(`DELETE FROM shared.job_lease_watch WHERE tenant_id = $1`, [source.id]);
    await t.db.query(`DELETE FROM shared.schedule_watch WHERE tenant_id = $1`, [source.id]);
  });

  afterAll(async () => {
    await t?.close();
  });

  const jobs = (schema: string) =>
    t.db.query(`SELECT "type", "status", "attempts" FROM "${schema}"."jobs" ORDER BY "type", "created_at"`) as Promise<
      Array<{ type: string; status: string; attempts: number }>
    >;

  async function expectWatched(schema: string): Promise<void> {
    expect((await jobs(schema)).filter((job) => job.type === 'leased')).toEqual([{ type: 'leased', status: 'running', attempts: 1 }]);
    await t.app.get(LeaseSweeperService).tick();
    await t.app.get(ScheduleRunnerService).tick();
    expect(await jobs(schema)).toEqual([
      { type: 'leased', status: 'queued', attempts: 1 },
      { type: 'scheduled', status: 'queued', attempts: 0 },
    ]);
  }

  it('import', async () => {
    const archive = (await exportArchive(t, source.id)).body;
    const slug = uniqueSlug('arr');
    await importArchive(t, archive, { slug }).expect(201);
    await expectWatched(`tenant_${slug}`);
  });

  it('clone', async () => {
    const slug = uniqueSlug('arr');
    await t.http().post('/tenants').set('X-Admin-Key', TEST_ADMIN_KEY).send({ name: 'Clone', slug, cloneFrom: source.id }).expect(201);
    await expectWatched(`tenant_${slug}`);
  });

  it('adopt', async () => {
    const legacy = await legacySchema(t, `legacy_arrived_${process.pid}_${++counter}`, { rowsFrom: source.schema });
    const slug = uniqueSlug('arr');
    await t.app.get(TenantAdoptService).adopt('Adopted', slug, legacy);
    await expectWatched(`tenant_${slug}`);
  });
});
