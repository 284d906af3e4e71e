import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { freePort } from './utils/test-database';
import { createTestApp, TestApp } from './utils/test-app';
import { BUILD_TIMEOUT_MS, buildIfStale } from './utils/built-dist';

const ROOT = path.resolve(__dirname, '..');

interface Exit {
  code: number | null;
  stderr: string;
}

/** The built CLI as an operator runs it (`node dist/src/cli.js …`): what only the process shows, its last line and exit code. */
describe('the CLI process', () => {
  let t: TestApp;

  beforeAll(async () => {
    buildIfStale();
    t = await createTestApp();
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    await t?.close();
  });

  /**
   * Runs the CLI; `onStdout` sees its stdout stream once the first bytes arrive (and them), or `closed` closes it at
   * once. An empty `databaseUrl` is none: the embedded PostgreSQL (EMBEDDED_PG_* in `env`).
   */
  function cli(
    args: string[],
    databaseUrl: string,
    onStdout?: 'closed' | ((stdout: NodeJS.ReadableStream & { destroy(): void }, first: Buffer) => void),
    env: NodeJS.ProcessEnv = {},
  ): Promise<Exit> {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/src/cli.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env, DATABASE_URL: databaseUrl, LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    if (onStdout === 'closed') child.stdout.destroy();
    else child.stdout.once('data', (first: Buffer) => onStdout?.(child.stdout, first));
    return new Promise((resolve) => child.once('close', (code) => resolve({ code, stderr })));
  }

  /** Runs the CLI and returns what it printed on stdout too. */
  async function cliPrinting(args: string[], databaseUrl: string, env: NodeJS.ProcessEnv = {}): Promise<Exit & { stdout: string }> {
    let stdout = '';
    const exit = await cli(
      args,
      databaseUrl,
      (stream, first) => {
        stdout = first.toString();
        stream.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      },
      env,
    );
    return { ...exit, stdout };
  }

  it('a database that cannot be reached is one line naming why, exit 1', async () => {
    const port = await freePort();
    const run = await cli(['list'], `postgres://tenantry:secret@127.0.0.1:${port}/tenantry`);
    expect(run).toEqual({ code: 1, stderr: `error: the database connection failed: connect ECONNREFUSED 127.0.0.1:${port}\n` });
  });

  it('a usage error exits 2, distinct from a failed operation (1); --help exits 0', async () => {
    expect(await cli(['list', '--bogus'], t.databaseUrl)).toEqual({ code: 2, stderr: "error: unknown option '--bogus'\n" });
    expect(await cli(['no-such-command'], t.databaseUrl)).toEqual({ code: 2, stderr: "error: unknown command 'no-such-command'\n" });
    expect(await cli(['show', 'no-such-tenant'], t.databaseUrl)).toEqual({ code: 1, stderr: 'error: Tenant not found\n' });
    const { stdout: help, ...shown } = await cliPrinting(['show', '--help'], t.databaseUrl);
    expect(shown).toEqual({ code: 0, stderr: '' });
    // Named as users install it (package.json "bin"), not after the script (dist/src/cli.js).
    expect(help).toMatch(/^Usage: tenantry show /);
  });

  describe('help and usage errors need no database', () => {
    // Nothing listens on port 1: a command that connected would fail with exit 1.
    const unreachable = 'postgres://x:y@127.0.0.1:1/z';

    it('--help and a command\'s --help print their help and exit 0', async () => {
      const { stdout: help, ...shown } = await cliPrinting(['--help'], unreachable);
      expect(shown).toEqual({ code: 0, stderr: '' });
      expect(help).toMatch(/^Usage: tenantry \[options\] \[command\]\n/);
      expect(help).toMatch(/^ {2}create \[options\] <name> <slug> /m);
      const { stdout: createHelp, ...created } = await cliPrinting(['create', '--help'], unreachable);
      expect(created).toEqual({ code: 0, stderr: '' });
      expect(createHelp).toMatch(/^Usage: tenantry create \[options\] <name> <slug>\n/);
      expect(createHelp).toContain('--from <id-or-slug>');
      const { stdout: rotateHelp, ...rotated } = await cliPrinting(['keys', 'rotate', '--help'], unreachable);
      expect(rotated).toEqual({ code: 0, stderr: '' });
      expect(rotateHelp).toMatch(/^Usage: tenantry keys rotate \[options\] <tenant> <keyId>\n/);
    });

    it('a usage error commander finds names what is wrong and exits 2', async () => {
      expect(await cli(['no-such-command'], unreachable)).toEqual({ code: 2, stderr: "error: unknown command 'no-such-command'\n" });
      expect(await cli(['create', 'Acme'], unreachable)).toEqual({ code: 2, stderr: "error: missing required argument 'slug'\n" });
      expect(await cli(['list', '--bogus'], unreachable)).toEqual({ code: 2, stderr: "error: unknown option '--bogus'\n" });
    });

    it("a usage error of the CLI's own rules (cli-command.ts, keys) names what is wrong and exits 2", async () => {
      expect(await cli(['export', 'acme', '-o', 'a.gz', '-o', 'b.gz'], unreachable)).toEqual({
        code: 2,
        stderr: "error: option '-o, --output <file>' can be given only once\n",
      });
      expect(await cli(['migrate', '--check', '--dry-run'], unreachable)).toEqual({
        code: 2,
        stderr: "error: option '--check' cannot be used with option '--dry-run'\n",
      });
      expect(await cli(['keys', 'bogus'], unreachable)).toEqual({
        code: 2,
        stderr: "error: unknown keys subcommand 'bogus': use list, create, revoke or rotate\n",
      });
    });

    it('without DATABASE_URL, help and usage errors start no embedded PostgreSQL (its data directory is never made)', async () => {
      const parent = mkdtempSync(path.join(tmpdir(), 'tenantry-cli-help-'));
      // Searchable by the `postgres` OS user, which runs the embedded server when the tests run as root.
      chmodSync(parent, 0o755);
      const dataDir = path.join(parent, 'postgres');
      const embedded = { EMBEDDED_PG_DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()) };
      try {
        const { stdout: help, ...shown } = await cliPrinting(['create', '--help'], '', embedded);
        expect(shown).toEqual({ code: 0, stderr: '' });
        expect(help).toMatch(/^Usage: tenantry create /);
        expect(await cli(['list', '--bogus'], '', undefined, embedded)).toEqual({ code: 2, stderr: "error: unknown option '--bogus'\n" });
        expect(existsSync(dataDir)).toBe(false);
      } finally {
        rmSync(parent, { recursive: true, force: true });
      }
    });
  });

  it('export to a reader that goes away (export … | head) says the output closed, not the database', async () => {
    const { tenant } = await t.createTenant();
    // Enough rows that the archive is still being written when the reader leaves (random text: gzip cannot shrink it).
    await t.db.query(
      `INSERT INTO "${tenant.schemaName}"."targets" ("id", "name", "kind", "address", "created_at", "updated_at")
       SELECT gen_random_uuid(), 't' || g, 'generic', repeat(md5(random()::text), 20), now(), now() FROM generate_series(1, 20000) g`,
    );
    const run = await cli(['export', tenant.slug], t.databaseUrl, (stdout) => stdout.destroy());
    expect(run).toEqual({ code: 1, stderr: 'error: cannot write stdout: write EPIPE\n' });
  });

  it('a reader that closed before the output (list | true) ends the command quietly, without a stack', async () => {
    await t.createTenant();
    const run = await cli(['list'], t.databaseUrl, 'closed');
    expect(run).toEqual({ code: 0, stderr: '' });
  });
});
