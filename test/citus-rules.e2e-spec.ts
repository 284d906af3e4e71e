import { Client } from 'pg';
import { TenantMigrationsService } from '../src/database/migrations/tenant-migrations.service';
import { ScheduleRunnerService } from '../src/schedules/schedule-runner.service';
import { TenantAdoptService } from '../src/tenancy/lifecycle/tenant-adopt.service';
import { SpareSchemaPoolService } from '../src/tenancy/registry/spare-schema-pool.service';
import { TenantDeletionService } from '../src/tenancy/registry/tenant-deletion.service';
import { TenantsService } from '../src/tenancy/registry/tenants.service';
import { exportArchive, importArchive } from './utils/archive';
import { schemasOf, violations } from './utils/citus-rules';
import { claim, createJob, createSession, createTarget, tenantClient, type TenantClient } from './utils/domain-fixtures';
import { legacySchema } from './utils/legacy-schema';
import { createTestApp, TEST_ADMIN_KEY, type TestApp } from './utils/test-app';

/**
 * What of DESIGN.md's Citus rules plain PostgreSQL can show (CI has no Citus): the catalog the migrations
 * build, and every statement the main code paths send, captured at the driver (pg's Client#query, which
 * TypeORM, the LISTEN client and the migrations all go through) and checked against the forbidden shapes.
 */
interface Captured {
  sql: string;
  client: Client;
}

function captureStatements(): { statements: Captured[]; stop(): void } {
  const statements: Captured[] = [];
  const original = Client.prototype.query;
  const spy = jest.spyOn(Client.prototype, 'query').mockImplementation(function (this: Client, ...args: unknown[]) {
    const [config] = args as [string | { text?: string; name?: string }];
    const sql = typeof config === 'string' ? config : (config?.text ?? '');
    // A named query is a prepared statement, which a transaction-mode pooler cannot keep (PgBouncer < 1.21).
    statements.push({ sql: typeof config === 'object' && config?.name ? `PREPARE ${config.name} AS ${sql}` : sql, client: this });
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as never);
  return { statements, stop: () => spy.mockRestore() };
}

/** Tenant schemas (anything but `shared`) each transaction touched, in statement order per connection. */
function schemasPerTransaction(statements: Captured[]): string[][] {
  const open = new Map<Client, Set<string>>();
  const done: string[][] = [];
  for (const { sql, client } of statements) {
    if (/^\s*(?:START\s+TRANSACTION|BEGIN)\b/i.test(sql)) open.set(client, new Set());
    else if (/^\s*(?:COMMIT|ROLLBACK)\b/i.test(sql)) {
      done.push([...(open.get(client) ?? [])]);
      open.delete(client);
    } else {
      for (const schema of schemasOf(sql)) if (schema !== 'shared') open.get(client)?.add(schema);
    }
  }
  return done;
}

describe('Citus rules', () => {
  describe('the statement checker', () => {
    // The statements DESIGN.md reports as failing on Citus, and the session state PgBouncer cannot carry.
    it.each([
      [`INSERT INTO "shared"."schema_versions" ("schema_name") VALUES ($1) ON CONFLICT ("schema_name") DO UPDATE SET "updated_at" = now()`],
      [`UPDATE "tenant_a"."jobs" SET "finished_at" = CASE WHEN "attempts" < 3 THEN NULL ELSE now() END WHERE "id" = $1`],
      [`UPDATE "tenant_a"."jobs" AS j SET "run_at" = COALESCE($2::timestamptz, now()) WHERE j."id" = $1`],
      [`INSERT INTO "tenant_a"."sessions" ("id", "target_id") SELECT $1, $2 WHERE EXISTS (SELECT 1 FROM "tenant_a"."targets" WHERE "id" = $2)`],
      [`CREATE TABLE "tenant_a"."copy" AS SELECT * FROM "tenant_a"."targets"`],
      [`SELECT * INTO "tenant_a"."copy" FROM "tenant_a"."targets"`],
      [`ALTER TABLE "tenant_a"."targets" SET SCHEMA "tenant_b"`],
      [`CREATE TABLE "targets" ("id" uuid PRIMARY KEY)`],
      [`INSERT INTO "targets" ("id") VALUES ($1)`],
      [`SET statement_timeout = 1000`],
      [`SELECT pg_advisory_lock(1)`],
      [`SELECT t."id" FROM "tenant_a"."targets" t JOIN "tenant_b"."jobs" j ON j."target_id" = t."id"`],
    ])('refuses %s', (sql) => {
      expect(violations(sql)).not.toEqual([]);
    });

    it.each([
      [`INSERT INTO "shared"."schema_versions" ("schema_name", "updated_at") VALUES ($1, now()) ON CONFLICT ("schema_name") DO UPDATE SET "updated_at" = EXCLUDED."updated_at"`],
      [`UPDATE "tenant_a"."jobs" AS j SET "finished_at" = CASE WHEN j."attempts" < 3 THEN NULL ELSE clock."now" END FROM (SELECT now() AS "now") AS clock WHERE j."id" = $1`],
      [`SELECT "id" FROM "tenant_a"."jobs" WHERE "status" = 'queued' ORDER BY "id" LIMIT 1 FOR UPDATE SKIP LOCKED`],
      [`SET LOCAL citus.enable_schema_based_sharding = off`],
      [`SELECT pg_advisory_xact_lock($1, hashtext($2))`],
    ])('accepts %s', (sql) => {
      expect(violations(sql)).toEqual([]);
    });
  });

  describe('on a running app', () => {
    let t: TestApp;
    let capture: ReturnType<typeof captureStatements>;
    let a: TenantClient;

    beforeAll(async () => {
      capture = captureStatements();
      t = await createTestApp({ SPARE_SCHEMA_POOL_SIZE: '1' });
      const spares = t.app.get(SpareSchemaPoolService);
      await spares.refill();
      // One tenant from the spare pool (a rename), one built from the migrations, then the pool refilled.
      const admin = (req: ReturnType<ReturnType<TestApp['http']>['post']>) => req.set('X-Admin-Key', TEST_ADMIN_KEY);
      await admin(t.http().post('/tenants')).send({ name: 'From spare', slug: 'cr-spare' }).expect(201);
      a = await tenantClient(t, 'cr-migrations');
      await spares.refill();

      const target = await createTarget(a, { name: 'web-1' });
      const other = await createTarget(a, { name: 'web-2' });
      await a.get(`/targets/${target.id}`).expect(200);
      await a.get('/targets/00000000-0000-4000-8000-000000000000').expect(404);
      await a.patch(`/targets/${other.id}`, { name: 'web-1' }).expect(409);
      await a.patch(`/targets/${other.id}`, { name: 'web-3', tags: ['x'] }).expect(200);
      await a.post('/targets', { name: 'web-1', address: 'https://x.test' }).expect(409);
      const session = await createSession(a, target.id, { ttlSeconds: 60 });
      await a.post('/sessions', { targetId: '00000000-0000-4000-8000-000000000000' }).expect(404);
      await a.patch(`/sessions/${session.id}`, { metadata: { k: 1 } }).expect(200);
      await a.post(`/sessions/${session.id}/close`).expect(200);
      await createJob(a, target.id, { sessionId: session.id });
      await a.post('/jobs', { targetId: target.id, type: 'generic' }).set('Idempotency-Key', 'k-2').expect(201);
      const job = (await claim(a, 'worker-1'))!;
      await a.post(`/jobs/${job.id}/heartbeat`, { workerId: 'worker-1' }).expect(200);
      await a.post(`/jobs/${job.id}/logs`, { entries: [{ level: 'info', message: 'step 1' }] }).expect(201);
      await a.get(`/jobs/${job.id}/logs`).expect(200);
      await a.post(`/jobs/${job.id}/complete`, { workerId: 'worker-1', result: { ok: true } }).expect(200);
      await a.get(`/jobs/${job.id}/logs/stream`).set('Last-Event-ID', '1').expect(200); // finished: the backlog, then `end`
      const failing = (await claim(a, 'worker-2'))!;
      await a.post(`/jobs/${failing.id}/fail`, { workerId: 'worker-2', error: 'boom' }).expect(200);
      // A claim after a lease expired: the claim transaction (expiry, then the same claim statement without its gate).
      await createJob(a, target.id, { type: 'expiring' });
      const expiring = (await a.post('/jobs/claim', { workerId: 'worker-4', types: ['expiring'] }).expect(200)).body;
      await t.db.query(`UPDATE "tenant_cr_migrations"."jobs" SET "lease_expires_at" = now() - interval '1 second' WHERE "id" = $1`, [expiring.id]);
      expect((await a.post('/jobs/claim', { workerId: 'worker-5', types: ['expiring'] }).expect(200)).body.id).toBe(expiring.id);
      // Batches: a claim of several jobs by type and their completion, each one statement with its log entries.
      await a.post('/jobs/batch', { jobs: [{ targetId: target.id, type: 'batch' }, { targetId: target.id, type: 'batch' }] }).expect(201);
      const batch = (await a.post('/jobs/claim', { workerId: 'worker-3', types: ['batch'], limit: 5 }).expect(200)).body.items;
      expect(batch).toHaveLength(2);
      // One item that is not a job: the completion looks up the items it did not complete.
      const items = [...batch.map((j: { id: string }) => ({ id: j.id })), { id: '00000000-0000-4000-8000-000000000000' }];
      await a.post('/jobs/complete-batch', { workerId: 'worker-3', items }).expect(200);
      await a.get('/jobs?limit=10').expect(200);
      await a.get('/targets?limit=10').expect(200);
      await a.get('/sessions?status=active&limit=10').expect(200);
      // Failed authentications, several at once (their counts go to shared.auth_failures in one batched upsert).
      await Promise.all(['garbage-1', 'garbage-2', 'garbage-3'].map((key) => t.http().get('/tenant-info').set('X-API-Key', key).expect(401)));
      await t.http().get('/tenants').set('X-Admin-Key', 'wrong-admin-key'.padEnd(40, 'x')).expect(401);
      // Schedules: CRUD, a missing parent, and a scheduler run that queues an occurrence and moves the watch on.
      const schedule = (await a.post('/schedules', { name: 'nightly', cron: '0 3 * * *', timezone: 'Europe/Paris', job: { targetId: target.id, type: 'backup' } }).expect(201)).body;
      await a.post('/schedules', { name: 'x', cron: '0 3 * * *', job: { targetId: '00000000-0000-4000-8000-000000000000', type: 'x' } }).expect(404);
      await a.patch(`/schedules/${schedule.id}`, { cron: '*/5 * * * *', enabled: true }).expect(200);
      await a.patch(`/schedules/${schedule.id}`, { job: { targetId: '00000000-0000-4000-8000-000000000000', type: 'x' } }).expect(404);
      await a.get('/schedules?limit=10').expect(200);
      await a.get(`/schedules/${schedule.id}`).expect(200);
      await t.db.query(`UPDATE "tenant_cr_migrations"."schedules" SET "next_run_at" = now() - interval '1 hour'`);
      await t.db.query(`UPDATE "shared"."schedule_watch" SET "run_at" = now() - interval '1 hour'`);
      await t.app.get(ScheduleRunnerService).tick();
      const doomed = (await a.post('/schedules', { name: 'gone', cron: '0 3 * * *', job: { targetId: other.id, type: 'x' } }).expect(201)).body;
      await a.delete(`/schedules/${doomed.id}`).expect(204);
      await a.delete(`/targets/${other.id}`).expect(204);

      const tenants = t.app.get(TenantsService);
      await tenants.update('cr-migrations', { isActive: false });
      await tenants.update('cr-migrations', { isActive: true });
      await tenants.update('cr-migrations', { rateLimit: { requestsPerSecond: 1000, burst: 2000 } });
      await tenants.update('cr-migrations', { rateLimit: null });
      await tenants.regenerateKey('cr-migrations');
      await t.app.get(TenantMigrationsService).migrate();
      // Export, import and clone: each transaction reads or fills one tenant schema, the rows pass through the app.
      const archive = (await exportArchive(t, a.id)).body;
      await importArchive(t, archive, { slug: 'cr-imported' }).expect(201);
      await admin(t.http().post('/tenants')).send({ name: 'Clone', slug: 'cr-clone', cloneFrom: a.id }).expect(201);
      // Adopt: a schema built by the migrations renamed into a tenant, and public's tables moved into one.
      await legacySchema(t, 'cr_legacy', { rowsFrom: a.schema });
      await legacySchema(t, 'public', { rowsFrom: a.schema });
      await t.app.get(TenantAdoptService).adopt('Adopted', 'cr-adopted', 'cr_legacy');
      await t.app.get(TenantAdoptService).adopt('Single', 'cr-single', 'public');
      await t.db.query(`DROP TABLE "public"."migrations"`); // the single-tenant ledger adopt leaves behind
      await spares.refill(); // the import and the clone took the spares
      // Soft delete, restore, purge when due (by the timer's try-lock and by the CLI's waiting lock), purge at once.
      const spareTenant = await tenants.get('cr-spare');
      await admin(t.http().delete(`/tenants/${spareTenant.id}`)).expect(200);
      await admin(t.http().get('/tenants?includeDeleted=true')).expect(200);
      await admin(t.http().post(`/tenants/${spareTenant.id}/restore`)).expect(200);
      await admin(t.http().delete(`/tenants/${spareTenant.id}`)).expect(200);
      await t.db.query(`UPDATE "shared"."tenants" SET "purge_after" = "deleted_at" WHERE "id" = $1`, [spareTenant.id]);
      const deletion = t.app.get(TenantDeletionService);
      expect((await deletion.purgeDue({ wait: false })).purged.map((x) => x.slug)).toEqual(['cr-spare']);
      await admin(t.http().delete(`/tenants/${(await tenants.get('cr-imported')).id}`)).expect(200);
      await t.db.query(`UPDATE "shared"."tenants" SET "purge_after" = "deleted_at" WHERE "slug" = 'cr-imported'`);
      expect((await deletion.purgeDue({ wait: true })).purged.map((x) => x.slug)).toEqual(['cr-imported']);
      await admin(t.http().delete(`/tenants/${(await tenants.get('cr-clone')).id}?purge=true`)).expect(200);
      capture.stop();
    });

    afterAll(async () => {
      capture?.stop();
      await t?.close();
    });

    it('captured the code paths (so the checks below can fail)', () => {
      const all = capture.statements.map((s) => s.sql).join('\n');
      for (const shape of [/ALTER SCHEMA "spare_\w+" RENAME TO/, /INSERT INTO "tenant_cr_migrations"\."sessions"/,
        /INSERT INTO "tenant_cr_migrations"\."jobs"/, /INSERT INTO "tenant_cr_migrations"\."job_logs"/, /FOR UPDATE SKIP LOCKED/,
        /ON CONFLICT/, /SET LOCAL citus/, /INSERT INTO "tenant_cr_migrations"\."schedules"/, /UPDATE "tenant_cr_migrations"\."schedules" AS s SET "last_run_at"/,
        /INSERT INTO "shared"\."schedule_watch"/, /UPDATE "shared"\."schedule_watch"/, /LISTEN/, /pg_notify\(/, /LEFT JOIN LATERAL \(\s*SELECT .+ FROM "tenant_cr_migrations"\."job_logs"/, /COPY \(SELECT .+ FROM "tenant_cr_migrations"\."jobs" .*\) TO STDOUT/,
        /COPY "tenant_cr_clone"\."job_logs" \(.+\) FROM STDIN/, /COPY "tenant_cr_imported"\."targets" \(.+\) FROM STDIN/,
        /UPDATE "shared"\."tenants" SET .*"rate_limit_rps"/, /INSERT INTO "shared"\."auth_failures"/,
        /"purge_after" = n\."now" \+ make_interval/, /pg_try_advisory_xact_lock\(hashtext\('tenantry:purge'\)\)/,
        /SELECT pg_advisory_xact_lock\(hashtext\('tenantry:purge'\)\)/, /DROP SCHEMA IF EXISTS "tenant_cr_clone" CASCADE/,
        /ALTER SCHEMA "cr_legacy" RENAME TO "tenant_cr_adopted"/, /ALTER TABLE "public"\."job_logs" SET SCHEMA "tenant_cr_single"/]) {
        expect(all).toMatch(shape);
      }
    });

    it('captured the one-statement claims and completion, each with its log entries', () => {
      const one = (shape: RegExp) => expect(capture.statements.filter(({ sql }) => shape.test(sql)).length).toBeGreaterThan(0);
      const claimed = String.raw`claimed AS \(\s*UPDATE "tenant_cr_migrations"\."jobs"[\s\S]*INSERT INTO "tenant_cr_migrations"\."job_logs"`;
      one(new RegExp(String.raw`^WITH gate AS [\s\S]*next AS \(SELECT "id" FROM "tenant_cr_migrations"\."jobs"[\s\S]*${claimed}`));
      one(new RegExp(String.raw`^WITH gate AS [\s\S]*next AS \(SELECT best\."id" FROM unnest\(\$4::text\[\]\)[\s\S]*${claimed}`));
      one(/^WITH done AS \(\s*UPDATE "tenant_cr_migrations"\."jobs" AS j[\s\S]*WHERE j\."id" = ANY\(\$2::uuid\[\]\)[\s\S]*INSERT INTO "tenant_cr_migrations"\."job_logs"/);
      one(/^SELECT "id" FROM "tenant_cr_migrations"\."jobs" WHERE "id" = ANY\(\$1::uuid\[\]\)$/);
      one(new RegExp(String.raw`^WITH next AS \(SELECT best\."id" FROM unnest\(\$4::text\[\]\)[\s\S]*${claimed}[\s\S]*SELECT \* FROM claimed$`));
      one(/^WITH watched AS \(INSERT INTO "shared"\."job_lease_watch"[\s\S]*pg_notify\(/);
    });

    it('sends no statement Citus or a transaction-mode pooler refuses', () => {
      const broken = capture.statements
        .map(({ sql }) => ({ sql: sql.replace(/\s+/g, ' ').trim(), rules: violations(sql) }))
        .filter((statement) => statement.rules.length > 0)
        // Adopting a single-tenant installation moves its tables out of public once, an operator's step taken before
        // the schemas are distributed (README "From single-tenant to multi-tenant"): the one SET SCHEMA the code sends.
        .filter(({ sql, rules }) => !(rules.join() === 'no ALTER … SET SCHEMA' && /^ALTER TABLE "public"\."\w+" SET SCHEMA "tenant_cr_single"$/.test(sql)));
      expect(broken.map((b) => `${b.rules.join('; ')}: ${b.sql.slice(0, 300)}`)).toEqual([]);
    });

    it('touches at most one tenant schema per transaction', () => {
      const crossing = schemasPerTransaction(capture.statements).filter((schemas) => schemas.length > 1);
      // A spare's rename names the spare and the tenant: the same schema, under its old and its new name.
      const notRenames = crossing.filter((schemas) => !(schemas.length === 2 && schemas.some((s) => s.startsWith('spare_'))));
      expect(notRenames).toEqual([]);
    });

    describe('the catalog', () => {
      const ours = `(n.nspname = 'shared' OR n.nspname LIKE 'tenant\\_%' OR n.nspname LIKE 'spare\\_%')`;

      it('has tenant and spare schemas to look at', async () => {
        const rows = await t.db.query(`SELECT n.nspname FROM pg_namespace n WHERE ${ours}`);
        const names = rows.map((r: { nspname: string }) => r.nspname);
        expect(names).toEqual(expect.arrayContaining(['shared', 'tenant_cr_migrations']));
        expect(names.some((name: string) => name.startsWith('spare_'))).toBe(true);
      });

      it('gives every table of the shared and tenant schemas a primary key', async () => {
        const rows = await t.db.query(
          `SELECT n.nspname || '.' || c.relname AS "table" FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND ${ours}
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p')`,
        );
        expect(rows).toEqual([]);
      });

      it('has no foreign key leaving its schema', async () => {
        const rows = await t.db.query(
          `SELECT k.conname FROM pg_constraint k
             JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
             JOIN pg_class f ON f.oid = k.confrelid
            WHERE k.contype = 'f' AND ${ours} AND f.relnamespace <> c.relnamespace`,
        );
        expect(rows).toEqual([]);
        const [{ n }] = await t.db.query(
          `SELECT count(*)::int AS n FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace WHERE k.contype = 'f' AND ${ours}`,
        );
        expect(n).toBeGreaterThan(0); // the tenant schemas have foreign keys, all inside their schema
      });

      it('has no sequence-backed or identity column narrower than bigint, and no sequence narrower', async () => {
        const columns = await t.db.query(
          `SELECT n.nspname || '.' || c.relname || '.' || a.attname AS "column", format_type(a.atttypid, a.atttypmod) AS "type"
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
             LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE ${ours} AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p')
              AND (a.attidentity <> '' OR pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%')
              AND a.atttypid <> 'bigint'::regtype`,
        );
        expect(columns).toEqual([]);
        const sequences = await t.db.query(
          `SELECT n.nspname || '.' || c.relname AS "sequence" FROM pg_sequence s
             JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE ${ours} AND s.seqtypid <> 'bigint'::regtype`,
        );
        expect(sequences).toEqual([]);
      });

      it('leaves nothing in public', async () => {
        const rows = await t.db.query(`SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace`);
        expect(rows).toEqual([]);
      });
    });
  });
});
