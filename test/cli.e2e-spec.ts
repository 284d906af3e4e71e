import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { handleCommandError } from '../src/admin-cli/cli-error-handler';
import { CliOutput } from '../src/admin-cli/cli-output.service';
import { ledgerCheckArgs, runLedgerCheck } from '../src/admin-cli/migrate-check';
import { decodeArchive, encodeArchive, leftovers, schemaRows, tenantWithData } from './utils/archive';
import { TenantChangeReason, TenantEventsService } from '../src/tenancy/registry/tenant-events.service';
import { createTestApp, TestApp, uniqueSlug } from './utils/test-app';
import { captureCli, cliCommand, CliRun } from './utils/cli-run';
import { tenantChangeHeard } from './utils/tenant-change-heard';

describe('admin CLI', () => {
  let t: TestApp;

  beforeAll(async () => {
    // No purge timer: `purge --due` is what purges here.
    t = await createTestApp({ TENANT_PURGE_INTERVAL_SECONDS: '0' });
  });

  afterAll(async () => {
    await t?.close();
  });

  /** A progress stream that records what is drawn on it; `isTTY` says whether it passes for a terminal. */
  const progressStream = (isTTY: boolean) => Object.assign(new PassThrough(), { isTTY, columns: 100, drawn: [] as string[] });
  let terminal = progressStream(false);

  const captured = (work: (capture: CliOutput) => Promise<void>): Promise<CliRun> => captureCli(work, terminal);
  /** Runs one command through nest-commander with the real CLI module, drawing progress on `terminal`. */
  const cli = (...args: string[]): Promise<CliRun> => captureCli(cliCommand(t, args), terminal);

  /** `migrate --check` the way src/cli.ts answers it without Nest. */
  function fastCheck(...args: string[]): Promise<CliRun> {
    const parsed = ledgerCheckArgs(['migrate', ...args]);
    if (!parsed) throw new Error(`not a fast check: ${args.join(' ')}`);
    return captured((capture) => runLedgerCheck(t.config, t.databaseUrl, parsed.json, capture).catch(handleCommandError));
  }

  it('init-db is idempotent', async () => {
    const run = await cli('init-db');
    expect(run).toMatchObject({ exitCode: 0, stdout: 'Shared schema is up to date.' });
  });

  it('create prints the tenant and its key once; --json gives both to scripts', async () => {
    const slug = uniqueSlug('cli');
    const human = await cli('create', 'Acme Corp', slug);
    expect(human.exitCode).toBe(0);
    expect(human.stdout).toContain(`slug:        ${slug}`);
    expect(human.stdout).toMatch(/tnt_[0-9A-Za-z]{12}_[0-9A-Za-z]{49}/);

    const json = await cli('create', 'Beta Corp', `${slug}b`, '--json');
    const parsed = JSON.parse(json.stdout);
    expect(parsed.tenant).toMatchObject({ name: 'Beta Corp', slug: `${slug}b`, schemaName: `tenant_${slug}b`, isActive: true });
    expect(parsed.apiKey).toMatch(/^tnt_/);
    expect(Object.keys(parsed.tenant).sort()).toEqual(['createdAt', 'deletedAt', 'id', 'isActive', 'name', 'purgeAfter', 'rateLimit', 'schemaName', 'slug', 'updatedAt']);
    const res = await t.http().get('/tenant-info').set('X-API-Key', parsed.apiKey);
    expect(res.status).toBe(200);
  });

  it('create with a bad slug fails on stderr with exit code 2 and creates nothing', async () => {
    const run = await cli('create', 'Bad', 'Bad_Slug');
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/slug must be/);
    expect(await t.db.query(`SELECT 1 FROM shared.tenants WHERE slug = 'Bad_Slug'`)).toEqual([]);
  });

  it('create with a taken slug exits 1', async () => {
    const { tenant } = await t.createTenant();
    const run = await cli('create', 'Again', tenant.slug);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`A tenant with slug "${tenant.slug}" already exists`);
  });

  it('list shows active tenants; --all includes deactivated ones; --json is parseable', async () => {
    const active = await t.createTenant();
    const inactive = await t.createTenant();
    await cli('update', inactive.tenant.slug, '--deactivate');
    const list = JSON.parse((await cli('list', '--json')).stdout) as Array<{ slug: string }>;
    expect(list.map((x) => x.slug)).toContain(active.tenant.slug);
    expect(list.map((x) => x.slug)).not.toContain(inactive.tenant.slug);
    const all = JSON.parse((await cli('list', '--all', '--json')).stdout) as Array<{ slug: string }>;
    expect(all.map((x) => x.slug)).toEqual(expect.arrayContaining([active.tenant.slug, inactive.tenant.slug]));
    const table = await cli('list', '--all');
    expect(table.stdout).toMatch(/^SLUG\s+NAME\s+SCHEMA\s+STATUS\s+ID/);
    expect(table.stdout).toContain(inactive.tenant.slug);
  });

  it('show finds a tenant by id or slug, and exits 1 for an unknown one', async () => {
    const { tenant } = await t.createTenant();
    const bySlug = JSON.parse((await cli('show', tenant.slug, '--json')).stdout);
    const byId = JSON.parse((await cli('show', tenant.id, '--json')).stdout);
    expect(bySlug).toEqual(byId);
    expect(bySlug.id).toBe(tenant.id);
    const missing = await cli('show', 'no-such-tenant');
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('Tenant not found');
  });

  it('update renames, deactivates (key refused with 403) and reactivates', async () => {
    const { tenant, apiKey } = await t.createTenant();
    const renamed = JSON.parse((await cli('update', tenant.slug, '--name', 'New Name', '--json')).stdout);
    expect(renamed.name).toBe('New Name');
    await cli('update', tenant.slug, '--deactivate');
    expect((await t.http().get('/tenant-info').set('X-API-Key', apiKey)).status).toBe(403);
    await cli('update', tenant.slug, '--activate');
    expect((await t.http().get('/tenant-info').set('X-API-Key', apiKey)).status).toBe(200);
    const nothing = await cli('update', tenant.slug);
    expect(nothing.exitCode).toBe(2);
    const both = await cli('update', tenant.slug, '--activate', '--deactivate');
    expect(both.exitCode).toBe(2);
  });

  it('update --rate-limit sets, widens and clears (default) a rate limit, and refuses bad numbers', async () => {
    const { tenant, apiKey } = await t.createTenant();
    const set = await cli('update', tenant.slug, '--rate-limit', '1', '--burst', '3', '--json');
    expect(set.exitCode).toBe(0);
    expect(JSON.parse(set.stdout).rateLimit).toEqual({ requestsPerSecond: 1, burst: 3 });
    const limited = await t.http().get('/tenant-info').set('X-API-Key', apiKey).expect(200);
    expect(limited.headers['ratelimit-policy']).toBe('"tenant";q=3;w=3');
    const human = await cli('update', tenant.slug, '--rate-limit', '50');
    expect(human.stdout).toContain('rate limit:  50/s, burst 50');
    const cleared = await cli('update', tenant.slug, '--rate-limit', 'default', '--json');
    expect(JSON.parse(cleared.stdout).rateLimit).toBeNull();
    expect((await cli('show', tenant.slug)).stdout).toContain('rate limit:  instance default (TENANT_RATE_LIMIT_RPS)');

    for (const args of [
      ['--rate-limit', '-1'],
      ['--rate-limit', 'fast'],
      ['--rate-limit', '5', '--burst', '4'],
      ['--rate-limit', '2000000'],
      ['--burst', '5'],
      ['--rate-limit', 'default', '--burst', '5'],
    ]) {
      const refused = await cli('update', tenant.slug, ...args);
      expect({ args, exitCode: refused.exitCode }).toEqual({ args, exitCode: 2 });
      expect(refused.stderr).toMatch(/rate-limit|burst|rateLimit/);
    }
    expect(JSON.parse((await cli('show', tenant.slug, '--json')).stdout).rateLimit).toBeNull();
  });

  it('regenerate-key prints a new key and the old one is refused', async () => {
    const { tenant, apiKey } = await t.createTenant();
    expect((await t.http().get('/tenant-info').set('X-API-Key', apiKey)).status).toBe(200);
    // The CLI's change reaches the server as another instance's would (LISTEN/NOTIFY, asynchronous).
    const told = tenantChangeHeard(t.app, tenant.id, 'key-regenerated');
    const run = JSON.parse((await cli('regenerate-key', tenant.slug, '--json')).stdout);
    expect(run.apiKey).not.toBe(apiKey);
    await told;
    expect((await t.http().get('/tenant-info').set('X-API-Key', apiKey)).status).toBe(401);
    expect((await t.http().get('/tenant-info').set('X-API-Key', run.apiKey)).status).toBe(200);
  });

  it('migrate applies nothing when all is current; --check exits 0; --dry-run lists; --tenant limits', async () => {
    const { tenant } = await t.createTenant();
    const check = await cli('migrate', '--check', '--json');
    expect(check.exitCode).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({ behind: [], failed: [], sharedPending: [] });
    const run = await cli('migrate', '--json');
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ shared: [], results: [], failed: 0 });

    await t.db.query(`UPDATE shared.schema_versions SET version = NULL WHERE schema_name = $1`, [tenant.schemaName]);
    const behind = await cli('migrate', '--check');
    expect(behind.exitCode).toBe(1);
    expect(behind.stdout).toContain(`behind  ${tenant.schemaName}`);
    const dry = await cli('migrate', '--dry-run', '--json', '--tenant', tenant.slug);
    expect(JSON.parse(dry.stdout).results).toEqual([expect.objectContaining({ schemaName: tenant.schemaName, status: 'pending' })]);
    const fix = await cli('migrate', '--tenant', tenant.slug, '--concurrency', '2');
    expect(fix.exitCode).toBe(0);
    expect(fix.stdout).toContain('1 up-to-date');
    expect((await cli('migrate', '--check')).exitCode).toBe(0);
    expect((await cli('migrate', '--concurrency', '0')).exitCode).not.toBe(0);
  });

  it('migrate --tenant, given several times, limits the run, --dry-run and --check to those tenants', async () => {
    const [a, b, current] = (await Promise.all([t.createTenant(), t.createTenant(), t.createTenant()])).map((x) => x.tenant);
    const behind = () => t.db.query(`UPDATE shared.schema_versions SET version = NULL WHERE schema_name = ANY($1)`, [[a.schemaName, b.schemaName]]);
    await behind();
    const names = (rows: Array<{ schemaName: string }>) => rows.map((row) => row.schemaName);

    const one = await cli('migrate', '--check', '--json', '--tenant', current.slug);
    expect(one.exitCode).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({ total: 1, behind: [], failed: [] });
    const two = await cli('migrate', '--check', '--json', '--tenant', a.slug, '--tenant', current.slug);
    expect(two.exitCode).toBe(1);
    expect(JSON.parse(two.stdout)).toMatchObject({ total: 2, failed: [] });
    expect(names(JSON.parse(two.stdout).behind)).toEqual([a.schemaName]);
    const unknown = await cli('migrate', '--check', '--tenant', a.slug, '--tenant', 'no-such-tenant');
    expect(unknown).toMatchObject({ exitCode: 1, stdout: '', stderr: 'error: Tenant not found\n' });

    const dry = await cli('migrate', '--dry-run', '--json', '--tenant', a.slug, '--tenant', b.slug);
    expect(names(JSON.parse(dry.stdout).results)).toEqual([a.schemaName, b.schemaName].sort());
    const run = await cli('migrate', '--json', '--tenant', a.slug, '--tenant', b.slug);
    expect(run.exitCode).toBe(0);
    expect(names(JSON.parse(run.stdout).results)).toEqual([a.schemaName, b.schemaName].sort());
    const checked = await cli('migrate', '--check', '--tenant', a.slug, '--tenant', b.slug);
    expect(checked.exitCode).toBe(0);
    // The count is of the tenants checked, not of the ledger.
    expect(checked.stdout).toMatch(/; 2 selected schema\(s\) checked\.\n/);
    expect((await cli('migrate', '--check')).stdout).toMatch(/; \d+ schema\(s\) in the ledger\.\n/);
  });

  it('migrate draws a progress bar on a terminal and prints plain progress lines otherwise', async () => {
    const { tenant } = await t.createTenant();
    const behind = () => t.db.query(`UPDATE shared.schema_versions SET version = NULL WHERE schema_name = $1`, [tenant.schemaName]);

    await behind();
    const plain = await cli('migrate', '--tenant', tenant.slug);
    expect(plain.exitCode).toBe(0);
    expect(plain.stdout).toContain(`[1/1] ${tenant.schemaName}: up-to-date`);

    await behind();
    terminal = progressStream(true);
    terminal.on('data', (chunk: Buffer) => terminal.drawn.push(chunk.toString()));
    try {
      const run = await cli('migrate', '--tenant', tenant.slug);
      expect(run.exitCode).toBe(0);
      expect(run.stdout).not.toContain('[1/1]');
      expect(terminal.drawn.join('')).toContain(`1/1 ${tenant.schemaName}`);
      expect(terminal.drawn.join('')).toContain('migrating [');
    } finally {
      terminal = progressStream(false);
    }
  });

  it('the fast migrate --check (no Nest) prints and exits exactly like the command, current, behind or failed', async () => {
    const { tenant } = await t.createTenant();
    const both = async () => {
      for (const args of [['--check'], ['--check', '--json']]) {
        const [nest, fast] = [await cli('migrate', ...args), await fastCheck(...args)];
        expect(fast).toEqual(nest);
      }
      return fastCheck('--check');
    };
    const current = await both();
    expect(current).toMatchObject({ exitCode: 0, stderr: '' });
    expect(current.stdout).toContain('All schemas are up to date.');

    await t.db.query(`UPDATE shared.schema_versions SET version = NULL WHERE schema_name = $1`, [tenant.schemaName]);
    const behind = await both();
    expect(behind).toMatchObject({ exitCode: 1, stderr: 'error: 1 schema(s) behind or failed\n' });
    expect(behind.stdout).toContain(`behind  ${tenant.schemaName} (at nothing)`);

    await t.db.query(`UPDATE shared.schema_versions SET state = 'failed', error = 'boom' WHERE schema_name = $1`, [tenant.schemaName]);
    const failed = await both();
    expect(failed.exitCode).toBe(1);
    expect(failed.stdout).toContain(`failed  ${tenant.schemaName}: boom`);
    expect(failed.stdout).not.toContain('behind ');

    expect((await cli('migrate', '--tenant', tenant.slug)).exitCode).toBe(0);
    expect((await both()).exitCode).toBe(0);
  });

  /** Resolves once the test server has been told (LISTEN/NOTIFY) of a change the CLI made, and acted on it. */
  function serverTold(tenantId: string, reason: TenantChangeReason): Promise<void> {
    return new Promise((resolve) =>
      t.app.get(TenantEventsService).subscribe((change) => {
        if (change !== 'resync' && change.tenantId === tenantId && change.reason === reason) resolve();
      }),
    );
  }

  it('delete refuses without --yes, then soft-deletes: keys refused, row and schema kept, listed only with --deleted', async () => {
    const { tenant, apiKey } = await t.createTenant();
    const refused = await cli('delete', tenant.slug);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('without --yes');
    await t.http().get('/tenant-info').set('X-API-Key', apiKey).expect(200);

    const told = serverTold(tenant.id, 'deleted');
    const run = await cli('delete', tenant.slug, '--yes');
    expect(run).toMatchObject({ exitCode: 0, stderr: '' });
    expect(run.stdout).toContain(`Deleted tenant ${tenant.slug}`);
    await told;
    expect(run.stdout).toContain(`restore ${tenant.slug}`);
    const [row] = await t.db.query(`SELECT "deleted_at", "purge_after" - "deleted_at" AS "kept" FROM shared.tenants WHERE id = $1`, [tenant.id]);
    expect(row.deleted_at).toBeInstanceOf(Date);
    expect(row.kept).toEqual(expect.objectContaining({ days: 7 }));
    expect(await t.db.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [tenant.schemaName])).toHaveLength(1);
    const denied = await t.http().get('/tenant-info').set('X-API-Key', apiKey).expect(403);
    expect(denied.body.message).toBe('Tenant is deleted');

    const again = await cli('delete', tenant.slug, '--yes');
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toBe('error: Tenant is already deleted; restore it, or purge it with purge=true\n');

    const listed = JSON.parse((await cli('list', '--all', '--json')).stdout) as Array<{ slug: string }>;
    expect(listed.map((x) => x.slug)).not.toContain(tenant.slug);
    const withDeleted = JSON.parse((await cli('list', '--all', '--deleted', '--json')).stdout) as Array<{ slug: string; deletedAt: string | null }>;
    expect(withDeleted.find((x) => x.slug === tenant.slug)?.deletedAt).toEqual(row.deleted_at.toISOString());
    expect((await cli('list', '--deleted')).stdout).toMatch(new RegExp(`${tenant.slug} .* deleted \\(purge after `));
    expect((await cli('show', tenant.slug)).stdout).toContain('purge after:');
  });

  it('restore brings a deleted tenant back with the same key; a live tenant is refused', async () => {
    const { tenant, apiKey } = await t.createTenant();
    const deleted = serverTold(tenant.id, 'deleted');
    expect((await cli('delete', tenant.slug, '--yes')).exitCode).toBe(0);
    await deleted;
    await t.http().get('/tenant-info').set('X-API-Key', apiKey).expect(403);
    const restored = serverTold(tenant.id, 'restored');
    const run = await cli('restore', tenant.slug, '--json');
    expect(run.exitCode).toBe(0);
    await restored;
    expect(JSON.parse(run.stdout)).toMatchObject({ id: tenant.id, deletedAt: null, purgeAfter: null });
    await t.http().get('/tenant-info').set('X-API-Key', apiKey).expect(200);
    const live = await cli('restore', tenant.slug);
    expect(live).toMatchObject({ exitCode: 1, stderr: 'error: Tenant is not deleted\n' });
    const actions = await t.db.query(`SELECT "action", "actor" FROM shared.audit_events WHERE tenant_id = $1 ORDER BY id`, [tenant.id]);
    expect(actions.slice(1)).toEqual([
      { action: 'tenant.deleted', actor: 'cli' },
      { action: 'tenant.restored', actor: 'cli' },
    ]);
  });

  it('purge --due purges exactly the deleted tenants past their retention, and prints them', async () => {
    const due = [await t.createTenant(), await t.createTenant()];
    const notYet = await t.createTenant();
    const live = await t.createTenant();
    for (const { tenant } of [...due, notYet]) expect((await cli('delete', tenant.slug, '--yes')).exitCode).toBe(0);
    await t.db.query(`UPDATE shared.tenants SET purge_after = deleted_at - interval '1 second' WHERE id = ANY($1)`, [due.map((d) => d.tenant.id)]);

    expect((await cli('purge')).exitCode).toBe(2);
    const run = await cli('purge', '--due');
    expect(run).toMatchObject({ exitCode: 0, stderr: '' });
    for (const { tenant } of due) expect(run.stdout).toContain(`purged  ${tenant.slug}  ${tenant.schemaName}  ${tenant.id}`);
    expect(run.stdout).not.toContain(notYet.tenant.slug);
    const left = await t.db.query(`SELECT id FROM shared.tenants WHERE id = ANY($1)`, [[...due, notYet, live].map((d) => d.tenant.id)]);
    expect(left.map((r: { id: string }) => r.id).sort()).toEqual([notYet.tenant.id, live.tenant.id].sort());
    for (const { tenant } of due) {
      expect(await t.db.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [tenant.schemaName])).toEqual([]);
      const [{ actor }] = await t.db.query(`SELECT actor FROM shared.audit_events WHERE tenant_id = $1 AND action = 'tenant.purged'`, [tenant.id]);
      expect(actor).toBe('cli');
    }
    expect((await cli('purge', '--due')).stdout).toBe('No deleted tenant is due for purging.');
  });

  it('delete --purge --yes erases a tenant at once, live or already deleted; the slug is free again', async () => {
    const live = await t.createTenant();
    expect((await cli('delete', live.tenant.slug, '--purge')).exitCode).toBe(2);
    const run = await cli('delete', live.tenant.slug, '--purge', '--yes', '--json');
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout).purged).toMatchObject({ id: live.tenant.id, slug: live.tenant.slug });
    expect(await t.db.query(`SELECT 1 FROM shared.tenants WHERE id = $1`, [live.tenant.id])).toEqual([]);
    expect(await t.db.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [live.tenant.schemaName])).toEqual([]);

    const deleted = await t.createTenant();
    expect((await cli('delete', deleted.tenant.slug, '--yes')).exitCode).toBe(0);
    const purged = await cli('delete', deleted.tenant.slug, '--purge', '--yes');
    expect(purged.stdout).toContain(`Purged tenant ${deleted.tenant.slug}`);
    expect(await t.db.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [deleted.tenant.schemaName])).toEqual([]);
    expect((await cli('restore', deleted.tenant.slug)).stderr).toBe('error: Tenant not found\n');
    const again = await cli('create', 'Again', deleted.tenant.slug, '--json');
    expect(again.exitCode).toBe(0);
  });

  describe('export, import and create --from', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenantry-cli-'));

    it('export -o writes the archive and prints the counts; import makes a tenant with the same rows and a working key', async () => {
      const source = await tenantWithData(t);
      const file = join(dir, 'source.tenantry.gz');
      const run = await cli('export', source.id, '-o', file);
      expect(run).toMatchObject({ exitCode: 0, stderr: '' });
      expect(run.stdout).toContain(`to ${file}: targets 2, sessions 1, jobs 2, job_logs 2, schedules 1 row(s).`);
      expect(existsSync(`${file}.partial`)).toBe(false);
      expect(decodeArchive(readFileSync(file)).manifest!.tables.map((x: { rows: number }) => x.rows)).toEqual([2, 1, 2, 2, 1]);

      const slug = uniqueSlug('cimp');
      const imported = JSON.parse((await cli('import', file, '--slug', slug, '--name', 'From File', '--json')).stdout);
      expect(imported.tenant).toMatchObject({ slug, name: 'From File' });
      expect(imported.tables).toEqual([
        { name: 'targets', rows: 2 },
        { name: 'sessions', rows: 1 },
        { name: 'jobs', rows: 2 },
        { name: 'job_logs', rows: 2 },
        { name: 'schedules', rows: 1 },
      ]);
      expect(await schemaRows(t, `tenant_${slug}`)).toEqual(await schemaRows(t, source.schema));
      expect((await t.http().get('/targets').set('X-API-Key', imported.apiKey)).status).toBe(200);

      const human = await cli('import', file, '--slug', uniqueSlug('cimp'));
      expect(human.exitCode).toBe(0);
      expect(human.stdout).toMatch(/Imported tenant .+ \(targets 2, sessions 1, jobs 2, job_logs 2, schedules 1 row\(s\)\)/);
      expect(human.stdout).toMatch(/tnt_[0-9A-Za-z]{12}_/);
    });

    it('export draws a progress bar on a terminal', async () => {
      const source = await tenantWithData(t);
      terminal = progressStream(true);
      terminal.on('data', (chunk: Buffer) => terminal.drawn.push(chunk.toString()));
      try {
        const run = await cli('export', source.id, '-o', join(dir, 'bar.tenantry.gz'), '--json');
        expect(run.exitCode).toBe(0);
        expect(JSON.parse(run.stdout).tables).toHaveLength(5);
        expect(terminal.drawn.join('')).toContain('exporting [');
        expect(terminal.drawn.join('')).toContain('5/5 tables');
      } finally {
        terminal = progressStream(false);
      }
    });

    it('export of an unknown tenant exits 1 and leaves no file', async () => {
      const file = join(dir, 'missing.tenantry.gz');
      const run = await cli('export', 'no-such-tenant', '-o', file);
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toContain('Tenant not found');
      expect(existsSync(file)).toBe(false);
    });

    it('import refuses a damaged archive, a missing file and a missing --slug with exit code 2, leaving nothing', async () => {
      const source = await tenantWithData(t);
      const good = join(dir, 'good.tenantry.gz');
      await cli('export', source.id, '-o', good);
      const decoded = decodeArchive(readFileSync(good));
      decoded.manifest!.tables[0].sha256 = 'f'.repeat(64);
      const bad = join(dir, 'bad.tenantry.gz');
      writeFileSync(bad, encodeArchive(decoded));
      const slug = uniqueSlug('cbad');
      const run = await cli('import', bad, '--slug', slug);
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toContain('Archive rejected: table targets: checksum does not match the manifest');
      expect(await leftovers(t, slug)).toEqual([]);
      const truncated = join(dir, 'truncated.tenantry.gz');
      writeFileSync(truncated, readFileSync(good).subarray(0, 40));
      expect((await cli('import', truncated, '--slug', slug)).stderr).toContain('not a complete gzip stream');
      const missing = await cli('import', join(dir, 'nope.gz'), '--slug', slug);
      expect(missing.exitCode).toBe(2);
      expect(missing.stderr).toContain('cannot read');
      expect((await cli('import', good)).exitCode).toBe(2);
      expect(await leftovers(t, slug)).toEqual([]);
    });

    it('create --from copies another tenant; an unknown source exits 1 and creates nothing', async () => {
      const source = await tenantWithData(t);
      const slug = uniqueSlug('clone');
      const run = await cli('create', 'Clone', slug, '--from', source.id, '--json');
      expect(run.exitCode).toBe(0);
      const clone = JSON.parse(run.stdout);
      expect(clone.tenant).toMatchObject({ slug, name: 'Clone' });
      expect(await schemaRows(t, `tenant_${slug}`)).toEqual(await schemaRows(t, source.schema));
      expect((await t.http().get('/targets').set('X-API-Key', clone.apiKey)).status).toBe(200);
      const other = uniqueSlug('clone');
      const missing = await cli('create', 'Clone', other, '--from', 'no-such-tenant');
      expect(missing.exitCode).toBe(1);
      expect(await leftovers(t, other)).toEqual([]);
    });
  });

  it('an unknown command is a usage error (exit 2)', async () => {
    const run = await cli('no-such-command');
    expect(run.exitCode).toBe(2);
  });
});
