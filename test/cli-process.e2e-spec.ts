import { spawn } from 'node:child_process';
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

  /** Runs the CLI; `onStdout` sees its stdout stream once the first bytes arrive (and them), or `closed` closes it at once. */
  function cli(
    args: string[],
    databaseUrl: string,
    onStdout?: 'closed' | ((stdout: NodeJS.ReadableStream & { destroy(): void }, first: Buffer) => void),
  ): Promise<Exit> {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/src/cli.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl, LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    if (onStdout === 'closed') child.stdout.destroy();
    else child.stdout.once('data', (first: Buffer) => onStdout?.(child.stdout, first));
    return new Promise((resolve) => child.once('close', (code) => resolve({ code, stderr })));
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
    let help = '';
    const shown = await cli(['show', '--help'], t.databaseUrl, (stdout, first) => {
      help = first.toString();
      stdout.on('data', (chunk: Buffer) => (help += chunk.toString()));
    });
    expect(shown).toEqual({ code: 0, stderr: '' });
    // Named as users install it (package.json "bin"), not after the script (dist/src/cli.js).
    expect(help).toMatch(/^Usage: tenantry show /);
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
