import { LATEST_TENANT_VERSION, TENANT_STEPS } from '../../src/database/migrations/migration-sets';
import { readSchemaShape } from '../../src/tenancy/lifecycle/schema-shape';
import { leftovers, schemaRows, tenantWithData } from '../utils/archive';
import { runCli } from '../utils/cli-run';
import { DOMAIN_TABLES, type TenantClient } from '../utils/domain-fixtures';
import { legacySchema } from '../utils/legacy-schema';
import { createTestApp, TestApp, uniqueSlug } from '../utils/test-app';

describe('CLI adopt', () => {
  let t: TestApp;
  let data: TenantClient;
  let counter = 0;

  beforeAll(async () => {
    t = await createTestApp();
    data = await tenantWithData(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  const cli = (...args: string[]) => runCli(t, ...args);

  const legacy = (schema = `legacy_${process.pid}_${++counter}`, before: string[] = []) =>
    legacySchema(t, schema, { rowsFrom: data.schema, before });
  const shapeOf = (schema: string) => readSchemaShape((sql, params) => t.db.query(sql, params), schema);
  const schemaExists = async (schema: string) => (await t.db.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [schema])).length > 0;

  async function expectAdopted(slug: string, apiKey: string, rows: Record<string, string[]>) {
    const schema = `tenant_${slug}`;
    expect(await schemaRows(t, schema)).toEqual(rows);
    const [ledger] = await t.db.query(`SELECT kind, version, state FROM shared.schema_versions WHERE schema_name = $1`, [schema]);
    expect(ledger).toEqual({ kind: 'tenant', version: LATEST_TENANT_VERSION, state: 'ready' });
    const recorded: Array<{ name: string }> = await t.db.query(`SELECT name FROM "${schema}"."migrations" ORDER BY "timestamp"`);
    expect(recorded.map((r) => r.name)).toEqual(TENANT_STEPS.map((s) => s.name));
    // The printed key reads the kept rows over HTTP, and the tenant takes new ones.
    const listed = await t.http().get('/targets?limit=100').set('X-API-Key', apiKey).expect(200);
    expect(listed.body.items).toHaveLength(rows.targets.length);
    await t.http().post('/targets').set('X-API-Key', apiKey).send({ name: 'after-adopt', address: 'https://x.test' }).expect(201);
    // The ledger table's sequence goes on after the move: the next migration record gets an id.
    await t.db.transaction(async (manager) => {
      const [row] = await manager.query(`INSERT INTO "${schema}"."migrations" ("timestamp", "name") VALUES (1, 'probe') RETURNING "id"`);
      expect(Number(row.id)).toBeGreaterThan(0);
      await manager.query(`DELETE FROM "${schema}"."migrations" WHERE "name" = 'probe'`);
    });
    expect((await cli('migrate', '--check')).exitCode).toBe(0);
  }

  it('adopts a schema built by the tenant migrations: the schema renamed, rows kept and counted, key printed once', async () => {
    const source = await legacy();
    const rows = await schemaRows(t, source);
    const slug = uniqueSlug('adopt');
    const run = await cli('adopt', 'Legacy Corp', slug, '--from-schema', source, '--json');
    expect(run).toMatchObject({ exitCode: 0, stderr: '' });
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ fromSchema: source, method: 'renamed', tenant: { name: 'Legacy Corp', slug, schemaName: `tenant_${slug}` } });
    // Every table of the tenant schema is counted; the ones the fixture fills hold its rows, the others none.
    const counted = new Map<string, number>(out.tables.map((table: { name: string; rows: number }) => [table.name, table.rows]));
    for (const table of DOMAIN_TABLES) expect([table, counted.get(table)]).toEqual([table, rows[table].length]);
    for (const [table, n] of counted) if (!(DOMAIN_TABLES as readonly string[]).includes(table)) expect([table, n]).toEqual([table, 0]);
    expect(rows.job_logs.length).toBeGreaterThan(0);
    expect(await schemaExists(source)).toBe(false);
    await expectAdopted(slug, out.apiKey, rows);
    const events = await t.db.query(`SELECT action, actor, detail FROM shared.audit_events WHERE tenant_id = $1 ORDER BY id`, [out.tenant.id]);
    expect(events.map((e: { action: string }) => e.action)).toEqual(['tenant.adopted', 'tenant.created']);
    expect(events[0]).toMatchObject({ actor: 'cli', detail: { fromSchema: source, method: 'renamed', tables: out.tables } });
    expect(JSON.stringify(events)).not.toContain(out.apiKey.split('_').at(-1));
  });

  it('adopts public (a single-tenant installation): the domain tables move, its own ledger stays; the human output counts rows', async () => {
    // The single-tenant application's own TypeORM ledger: int ids, its own migration names.
    await legacy('public', [
      `CREATE TABLE $schema."migrations" ("id" serial PRIMARY KEY, "timestamp" bigint NOT NULL, "name" varchar NOT NULL)`,
      `INSERT INTO $schema."migrations" ("timestamp", "name") VALUES (1700000000000, 'SingleTenantSetup1700000000000')`,
    ]);
    const rows = await schemaRows(t, 'public');
    const slug = uniqueSlug('adopt');
    const run = await cli('adopt', 'Single', slug, '--from-schema', 'public');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain(`Adopted schema public as tenant ${slug} (tables moved)`);
    for (const table of DOMAIN_TABLES) expect(run.stdout).toMatch(new RegExp(`${table}\\s+${rows[table].length}\\n`));
    const apiKey = /API key \(shown once, store it now\):\n\s+(\S+)/.exec(run.stdout)![1];
    await expectAdopted(slug, apiKey, rows);
    const left: Array<{ relname: string }> = await t.db.query(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'`,
    );
    expect(left.map((r) => r.relname)).toEqual(['migrations']);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM public.migrations WHERE name = 'SingleTenantSetup1700000000000'`);
    expect(n).toBe(1);
    await t.db.query(`DROP TABLE public.migrations`);
  });

  it.each([
    ['a missing column', `ALTER TABLE $schema."targets" DROP COLUMN "metadata"`, [`targets: missing column metadata (jsonb NOT NULL DEFAULT '{}'::jsonb)`]],
    ['an extra column', `ALTER TABLE $schema."jobs" ADD COLUMN "color" text`, ['jobs: extra column color (text)']],
    ['a different type', `ALTER TABLE $schema."jobs" ALTER COLUMN "error" TYPE varchar(100)`, ['jobs: column error is character varying(100), expected text']],
    ['a nullable column', `ALTER TABLE $schema."targets" ALTER COLUMN "kind" DROP NOT NULL`, ['targets: column kind is nullable, expected NOT NULL']],
    ['a different default', `ALTER TABLE $schema."jobs" ALTER COLUMN "attempts" SET DEFAULT 1`, ['jobs: column attempts has default 1, expected 0']],
    [
      'a different constraint',
      `ALTER TABLE $schema."jobs" DROP CONSTRAINT "jobs_priority_check", ADD CONSTRAINT "jobs_priority_check" CHECK ("priority" BETWEEN -10 AND 10)`,
      ["jobs: constraint jobs_priority_check is CHECK (((priority >= '-10'::integer) AND (priority <= 10))), expected CHECK (((priority >= '-100'"],
    ],
    ['a missing index', `DROP INDEX $schema."jobs_queued_idx"`, [`jobs: missing index jobs_queued_idx (CREATE INDEX jobs_queued_idx ON jobs USING btree`]],
    ['an extra index', `CREATE INDEX "jobs_extra_idx" ON $schema."jobs" ("type")`, ['jobs: extra index jobs_extra_idx']],
    ['a missing table', `DROP TABLE $schema."job_logs"`, ['missing table job_logs']],
    ['an extra table', `CREATE TABLE $schema."notes" ("id" bigint PRIMARY KEY)`, ['extra table notes']],
  ])('refuses a schema with %s, listing the difference, leaving the source untouched and registering nothing', async (_, change, expected) => {
    const source = await legacy();
    await t.db.query(change.replace(/\$schema/g, `"${source}"`));
    const shape = await shapeOf(source);
    const [{ n: rowsBefore }] = await t.db.query(`SELECT count(*)::int AS n FROM "${source}"."targets"`);
    const slug = uniqueSlug('adopt');
    const run = await cli('adopt', 'Mismatch', slug, '--from-schema', source);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(`error: Schema "${source}" does not match the tenant migrations`);
    for (const line of expected) expect(run.stderr).toContain(`  - ${line}`);
    expect(await shapeOf(source)).toEqual(shape);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM "${source}"."targets"`))[0].n).toBe(rowsBefore);
    expect(await leftovers(t, slug)).toEqual([]);
    expect(await t.db.query(`SELECT 1 FROM shared.audit_events WHERE action = 'tenant.adopted' AND detail->>'fromSchema' = $1`, [source])).toEqual([]);
  });

  it('lists every difference at once', async () => {
    const source = await legacy();
    for (const change of [`ALTER TABLE $schema."targets" DROP COLUMN "tags"`, `ALTER TABLE $schema."jobs" ALTER COLUMN "priority" TYPE integer`, `DROP TABLE $schema."job_logs"`]) {
      await t.db.query(change.replace(/\$schema/g, `"${source}"`));
    }
    const run = await cli('adopt', 'Mismatch', uniqueSlug('adopt'), '--from-schema', source);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('  - missing table job_logs');
    expect(run.stderr).toContain('  - targets: missing column tags');
    expect(run.stderr).toContain('  - targets: missing index targets_tags_idx');
    expect(run.stderr).toContain('  - jobs: column priority is integer, expected smallint');
    expect(run.stderr).not.toContain('job_logs_job_id_level_seq_idx'); // a missing table's indexes are not listed again
  });

  it('refuses an unknown schema, the registry, a tenant schema, a taken slug, a bad slug and no --from-schema, changing nothing', async () => {
    const source = await legacy();
    const rows = await schemaRows(t, source);
    const [{ slug: taken }] = await t.db.query(`SELECT slug FROM shared.tenants WHERE id = $1`, [data.id]);
    const slug = uniqueSlug('adopt');
    const cases: Array<[string[], number, string]> = [
      [['Name', slug, '--from-schema', 'no_such_schema'], 1, 'Schema "no_such_schema" does not exist'],
      [['Name', slug, '--from-schema', 'shared'], 1, 'Schema "shared" is the tenant registry'],
      [['Name', slug, '--from-schema', 'pg_catalog'], 1, 'is a system schema'],
      [['Name', slug, '--from-schema', data.schema], 1, `is already the schema of tenant "${taken}"`],
      [['Name', slug, '--from-schema', 'Robert"; DROP SCHEMA shared; --'], 1, 'does not exist'],
      [['Name', taken, '--from-schema', source], 1, `A tenant with slug "${taken}" already exists`],
      [['Name', 'Bad_Slug', '--from-schema', source], 2, 'slug must be'],
      [['Name', slug], 2, '--from-schema is required'],
    ];
    for (const [args, exitCode, message] of cases) {
      const run = await cli('adopt', ...args);
      expect({ args, exitCode: run.exitCode }).toEqual({ args, exitCode });
      expect(run.stderr).toContain(message);
    }
    expect(await schemaRows(t, source)).toEqual(rows);
    expect(await leftovers(t, slug)).toEqual([]);
    expect(await t.db.query(`SELECT 1 FROM shared.schema_versions WHERE schema_name = $1`, [source])).toEqual([]);
  });
});
