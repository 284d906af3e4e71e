import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leftovers } from './utils/archive';
import { runCli, type CliRun } from './utils/cli-run';
import { createTestApp, TestApp, uniqueSlug } from './utils/test-app';

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
    refused(await cli('create', 'Acme', slug, 'Corp'), 1, /too many arguments for 'create'\. Expected 2 arguments but got 3/);
    expect(await leftovers(t, slug)).toEqual([]);
    // `purge` without its dashes: neither a soft delete nor a purge happens.
    refused(await cli('delete', tenant.slug, 'purge', '--yes'), 1, /too many arguments for 'delete'/);
    const [row] = await t.db.query(`SELECT "deleted_at" FROM shared.tenants WHERE "id" = $1`, [tenant.id]);
    expect(row).toEqual({ deleted_at: null });
    refused(await cli('list', 'extra'), 1, /too many arguments for 'list'/);
    refused(await cli('keys', 'create', tenant.slug, 'ops', '--name', 'ops'), 1, /too many arguments for 'create'/);
    refused(await cli('migrate', '--check', 'extra'), 1, /too many arguments for 'migrate'/);
    expect(await keyNames()).not.toContain('ops');
  });

  it('a usage error or --help of a command sets the exit code instead of calling process.exit', async () => {
    // process.exit skipped the CLI's finally: an embedded PostgreSQL it had started was left running.
    const exit = jest.spyOn(process, 'exit').mockImplementation(((code?: number) => {
      throw new Error(`process.exit(${code})`);
    }) as never);
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      refused(await cli('create', 'Only a name'), 1, /^error: missing required argument 'slug'\n$/);
      refused(await cli('keys', 'revoke', tenant.slug), 1, /^error: missing required argument 'keyId'\n$/);
      refused(await cli('list', '--bogus'), 1, /^error: unknown option '--bogus'\n$/);
      expect((await cli('show', '--help')).exitCode).toBe(0);
      expect(stdout.mock.calls.join('')).toContain('Usage: ');
      expect(exit).not.toHaveBeenCalled();
    } finally {
      exit.mockRestore();
      stdout.mockRestore();
    }
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
});
