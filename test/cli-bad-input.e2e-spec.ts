import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { decodeArchive, encodeArchive, exportArchive, leftovers } from './utils/archive';
import { runCli, type CliRun } from './utils/cli-run';
import { createTestApp, TEST_ADMIN_KEY, TestApp, uniqueSlug } from './utils/test-app';

/** What an operator's typo gets: a usage error naming it, a non-zero exit, no stack, and nothing done. */
describe('admin CLI refuses bad command lines', () => {
  let t: TestApp;
  let tenant: { id: string; slug: string };
  const dir = mkdtempSync(join(tmpdir(), 'tenantry-cli-bad-'));

  beforeAll(async () => {
    t = await createTestApp();
    ({ tenant } = await t.createTenant());
  });

  afterAll(async () => {
    await t?.close();
  });

  const cli = (...args: string[]) => runCli(t, ...args);
  const refused = (run: CliRun, exitCode: number, message: string | RegExp) => {
    expect(run.exitCode).toBe(exitCode);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).not.toMatch(/tnt_/);
  };
  const keyNames = async () =>
    ((await t.db.query(`SELECT "name" FROM shared.api_keys WHERE "tenant_id" = $1`, [tenant.id])) as Array<{ name: string }>).map((k) => k.name);

  it('a word more than a command takes is refused, and the command does not run', async () => {
    const slug = uniqueSlug('extra');
    refused(await cli('create', 'Acme', slug, 'Corp'), 2, /too many arguments for 'create'\. Expected 2 arguments but got 3/);
    expect(await leftovers(t, slug)).toEqual([]);
    // `purge` without its dashes: neither a soft delete nor a purge happens.
    refused(await cli('delete', tenant.slug, 'purge', '--yes'), 2, /too many arguments for 'delete'/);
    const [row] = await t.db.query(`SELECT "deleted_at" FROM shared.tenants WHERE "id" = $1`, [tenant.id]);
    expect(row).toEqual({ deleted_at: null });
    refused(await cli('list', 'extra'), 2, /too many arguments for 'list'/);
    refused(await cli('keys', 'create', tenant.slug, 'ops', '--name', 'ops'), 2, /too many arguments for 'create'/);
    refused(await cli('migrate', '--check', 'extra'), 2, /too many arguments for 'migrate'/);
    expect(await keyNames()).not.toContain('ops');
  });

  it('a usage error or --help of a command sets the exit code instead of calling process.exit', async () => {
    // process.exit skipped the CLI's finally: an embedded PostgreSQL it had started was left running.
    const exit = jest.spyOn(process, 'exit').mockImplementation(((code?: number) => {
      throw new Error(`process.exit(${code})`);
    }) as never);
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      refused(await cli('create', 'Only a name'), 2, /^error: missing required argument 'slug'\n$/);
      refused(await cli('keys', 'revoke', tenant.slug), 2, /^error: missing required argument 'keyId'\n$/);
      refused(await cli('list', '--bogus'), 2, /^error: unknown option '--bogus'\n$/);
      expect((await cli('show', '--help')).exitCode).toBe(0);
      expect(stdout.mock.calls.join('')).toContain('Usage: ');
      expect(exit).not.toHaveBeenCalled();
    } finally {
      exit.mockRestore();
      stdout.mockRestore();
    }
  });

  it('an option taking one value, given twice, is refused naming it, and the command does not run', async () => {
    const [first, second] = [join(dir, 'first.gz'), join(dir, 'second.gz')];
    refused(await cli('export', tenant.slug, '-o', first, '--output', second), 2, /^error: option '-o, --output <file>' can be given only once\n$/);
    expect([existsSync(first), existsSync(second)]).toEqual([false, false]);
    const archive = join(dir, 'twice.tenantry.gz');
    writeFileSync(archive, (await exportArchive(t, tenant.id)).body);
    const [one, two] = [uniqueSlug('twice'), uniqueSlug('twice')];
    refused(await cli('import', archive, '--slug', one, '--slug', two), 2, /^error: option '--slug <slug>' can be given only once\n$/);
    expect([...(await leftovers(t, one)), ...(await leftovers(t, two))]).toEqual([]);
    const [key] = JSON.parse((await cli('keys', 'list', tenant.slug, '--json')).stdout);
    refused(await cli('keys', 'rotate', tenant.slug, key.id, '--grace', '1h', '--grace', '2h'), 2, /^error: option '--grace <duration>' can be given only once\n$/);
    const keys = JSON.parse((await cli('keys', 'list', tenant.slug, '--all', '--json')).stdout);
    expect(keys.find((k: { id: string }) => k.id === key.id)).toMatchObject({ revokedAt: null, graceUntil: null });
    refused(await cli('update', tenant.slug, '--name', 'One', '--name', 'Two'), 2, /^error: option '--name <name>' can be given only once\n$/);
    expect(JSON.parse((await cli('show', tenant.slug, '--json')).stdout).name).not.toMatch(/^(One|Two)$/);
    rmSync(archive);
  });

  it('options that exclude each other are refused naming both, and the command does not run', async () => {
    // --check won: the report, and exit 0 (or 1) as if --dry-run had not been typed.
    for (const args of [['--check', '--dry-run'], ['--dry-run', '--json', '--check']]) {
      const run = await cli('migrate', ...args);
      refused(run, 2, /^error: option '--check' cannot be used with option '--dry-run'\n$/);
      expect(run.stdout).toBe('');
    }
    // --check migrates nothing: a --concurrency beside it would be ignored without a word.
    const concurrency = await cli('migrate', '--check', '--concurrency', '4');
    refused(concurrency, 2, /^error: option '--check' cannot be used with option '--concurrency <n>'\n$/);
    expect(concurrency.stdout).toBe('');
    refused(await cli('update', tenant.slug, '--deactivate', '--activate'), 2, /^error: option '--activate' cannot be used with option '--deactivate'\n$/);
    expect(JSON.parse((await cli('show', tenant.slug, '--json')).stdout).isActive).toBe(true);
  });

  it('a name with a control character is refused by create, create --from, update, import and keys create (exit 2), and nothing is done', async () => {
    const problem = /^error: name must not contain control characters\n$/;
    const slug = uniqueSlug('ctl');
    refused(await cli('create', 'Acme\nid: forged', slug), 2, problem);
    refused(await cli('create', 'Evil\u001b[2K', slug, '--from', tenant.slug), 2, problem);
    const file = join(dir, 'ctl.tenantry.gz');
    writeFileSync(file, (await exportArchive(t, tenant.id)).body);
    refused(await cli('import', file, '--slug', slug, '--name', 'a\u009bb'), 2, problem);
    rmSync(file);
    expect(await leftovers(t, slug)).toEqual([]);
    const [before] = await t.db.query(`SELECT "name", "updated_at" FROM shared.tenants WHERE "id" = $1`, [tenant.id]);
    refused(await cli('update', tenant.slug, '--name', 'a\tb'), 2, problem);
    expect((await t.db.query(`SELECT "name", "updated_at" FROM shared.tenants WHERE "id" = $1`, [tenant.id]))[0]).toEqual(before);
    refused(await cli('keys', 'create', tenant.slug, '--name', 'ci\u007f'), 2, problem);
    expect(await keyNames()).toEqual(['default']);
  });

  it('keys with a word that is no subcommand names it', async () => {
    refused(await cli('keys', 'lst', tenant.slug), 2, /^error: unknown keys subcommand 'lst': use list, create, revoke or rotate\n$/);
  });

  it('keys create --expires-at refuses an impossible date or time instead of rolling it over, and creates no key', async () => {
    for (const [name, at] of [
      ['feb30', '2027-02-30T00:00:00Z'],
      ['h24', '2027-01-01T24:00:00Z'],
      ['nosec', '2027-01-01T00:00Z'],
      ['junk', '2027-01-01Tjunk Z'],
    ]) {
      refused(await cli('keys', 'create', tenant.slug, '--name', name, '--expires-at', at), 2, /--expires-at must be an ISO 8601 date-time with an offset/);
    }
    expect(await keyNames()).toEqual(['default']);
    const ok = JSON.parse((await cli('keys', 'create', tenant.slug, '--name', 'offset', '--expires-at', '2030-06-01T02:00:00+02:00', '--json')).stdout);
    expect(ok.key.expiresAt).toBe('2030-06-01T00:00:00.000Z');
  });

  it('keys rotate --grace beyond 7 days names the option, not the HTTP field, and rotates nothing', async () => {
    const [key] = JSON.parse((await cli('keys', 'list', tenant.slug, '--json')).stdout);
    refused(await cli('keys', 'rotate', tenant.slug, key.id, '--grace', '8d'), 2, /^error: --grace must be at most 7d \(604800 s\), got 691200 s\n$/);
    const after = JSON.parse((await cli('keys', 'list', tenant.slug, '--all', '--json')).stdout);
    expect(after.find((k: { id: string }) => k.id === key.id)).toMatchObject({ revokedAt: null, graceUntil: null });
  });

  it('export -o refuses a path it cannot write before any work, naming it, and leaves no file', async () => {
    const folder = join(dir, 'a-folder');
    mkdirSync(folder);
    refused(await cli('export', tenant.slug, '-o', ''), 2, /^error: -o needs a file name\n$/);
    refused(await cli('export', tenant.slug, '-o', folder), 2, new RegExp(`^error: cannot write ${folder}: it is a directory\n$`));
    const nowhere = join(dir, 'no-such-dir', 'x.gz');
    refused(await cli('export', tenant.slug, '-o', nowhere), 2, new RegExp(`^error: cannot write ${nowhere}: ENOENT: no such file or directory\n$`));
    expect(readdirSync(dir)).toEqual(['a-folder']);
    expect(readdirSync(folder)).toEqual([]);
    expect(existsSync(`${folder}.partial`)).toBe(false);
  });

  it('import of a directory names it (exit 2) and creates nothing', async () => {
    const slug = uniqueSlug('dir');
    refused(await cli('import', dir, '--slug', slug), 2, new RegExp(`^error: cannot read ${dir}: it is a directory\n$`));
    expect(await leftovers(t, slug)).toEqual([]);
  });

  describe('text from the database or an archive reaches the terminal with its control characters escaped', () => {
    // ESC sequences (window title, clear line), CR, a newline, the 8-bit CSI and a right-to-left override.
    const hostile = 'Evil\u001b]0;pwned\u0007\u001b[2K\rid:          forged\nactive: yes\u009b31m\u202e';
    // Any control character but the newlines that end the CLI's own lines.
    const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

    it('tenant and key names in show, list and keys list (stored before names refused control characters)', async () => {
      const slug = uniqueSlug('esc');
      const { id } = (await t.http().post('/tenants').set('X-Admin-Key', TEST_ADMIN_KEY).send({ name: 'plain', slug }).expect(201)).body.tenant;
      await t.db.query(`UPDATE shared.tenants SET "name" = $2 WHERE "id" = $1`, [id, hostile]);
      await t.http().post(`/tenants/${id}/keys`).set('X-Admin-Key', TEST_ADMIN_KEY).send({ name: 'plain' }).expect(201);
      await t.db.query(`UPDATE shared.api_keys SET "name" = $2 WHERE "tenant_id" = $1 AND "name" = 'plain'`, [id, hostile.slice(0, 60)]);
      for (const args of [['show', slug], ['list'], ['keys', 'list', slug]]) {
        const run = await cli(...args);
        expect(run.exitCode).toBe(0);
        expect(run.stdout).not.toMatch(CONTROL);
        expect(run.stdout).toContain('Evil\\u001b]0;pwned\\u0007\\u001b[2K\\u000did:');
        expect(run.stdout).not.toMatch(/^id: +forged/m);
      }
    });

    it('an error quoting an archive', async () => {
      const decoded = decodeArchive((await exportArchive(t, tenant.id)).body);
      decoded.header.tables[0].name = `targets${hostile}`;
      const file = join(dir, 'hostile.tenantry.gz');
      writeFileSync(file, encodeArchive(decoded));
      const run = await cli('import', file, '--slug', uniqueSlug('esc'));
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toContain('Archive rejected: table targetsEvil\\u001b]0;pwned');
      expect(run.stderr.replace(/\n$/, '')).not.toMatch(CONTROL);
    });
  });
});
