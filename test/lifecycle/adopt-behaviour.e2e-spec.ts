import { leftovers } from '../utils/archive';
import { runCli } from '../utils/cli-run';
import { legacySchema } from '../utils/legacy-schema';
import { createTestApp, TestApp, uniqueSlug } from '../utils/test-app';

/**
 * Adopt compares behaviour attached to the tables too: a trigger, a rule or row-level security that the tenant
 * migrations do not build would run on (or silently change) every write of the new tenant.
 */
describe('CLI adopt refuses tables that carry behaviour of their own', () => {
  let t: TestApp;
  let counter = 0;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  const schemaExists = async (schema: string) => (await t.db.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [schema])).length > 0;

  it.each<[string, string[], RegExp]>([
    [
      'a trigger',
      [
        `CREATE FUNCTION $schema."touch"() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN NEW."type" := ''x''; RETURN NEW; END'`,
        `CREATE TRIGGER "jobs_touch" BEFORE INSERT ON $schema."jobs" FOR EACH ROW EXECUTE FUNCTION $schema."touch"()`,
      ],
      /jobs: extra trigger jobs_touch \(CREATE TRIGGER jobs_touch BEFORE INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION touch\(\)\)/,
    ],
    [
      'a rule',
      [`CREATE RULE "keep_sessions" AS ON DELETE TO $schema."sessions" DO INSTEAD NOTHING`],
      /sessions: extra rule keep_sessions \(CREATE RULE keep_sessions AS\s+ON DELETE TO sessions DO INSTEAD NOTHING;\)/,
    ],
    [
      'row-level security and a policy',
      [`ALTER TABLE $schema."targets" ENABLE ROW LEVEL SECURITY`, `CREATE POLICY "only_web" ON $schema."targets" USING ("kind" = 'web')`],
      /targets: extra policy only_web \(.*kind.*web.*\)[\s\S]*targets: extra setting row level security \(ENABLED\)/,
    ],
  ])('%s: exit 2, listed, nothing changed', async (_name, statements, listed) => {
    const schema = `legacy_behaviour_${process.pid}_${++counter}`;
    await legacySchema(t, schema);
    for (const sql of statements) await t.db.query(sql.replace(/\$schema/g, `"${schema}"`));
    const slug = uniqueSlug('behave');
    const run = await runCli(t, 'adopt', 'Legacy', slug, '--from-schema', schema);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^error: Schema "${schema}" does not match the tenant migrations`));
    expect(run.stderr).toMatch(listed);
    expect(run.stdout).toBe('');
    expect(await schemaExists(schema)).toBe(true);
    expect(await leftovers(t, slug)).toEqual([]);
  });
});
