import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { freePort } from './test-database';

export interface PgbouncerHandle {
  /** postgres://user:password@127.0.0.1:<port>/ : any database of the server, through PgBouncer. */
  url: string;
  dir: string;
  stop(): Promise<void>;
}

const SEARCH_PATH = ['/usr/sbin', '/usr/local/sbin', '/usr/bin', '/usr/local/bin'];

/** The pgbouncer binary on PATH (or in the usual sbin directories), or undefined. */
export function findPgbouncer(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), ...SEARCH_PATH].filter(Boolean);
  return dirs.map((dir) => path.join(dir, 'pgbouncer')).find((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Starts PgBouncer in front of the server of `serverUrl`: its stock settings plus `pool_mode = transaction`,
 * on loopback and a free port, every database of the server reachable under its own name, authenticating
 * clients and the server with the credentials of `serverUrl` (SCRAM).
 */
export async function startPgbouncer(binary: string, serverUrl: string, dir: string): Promise<PgbouncerHandle> {
  const server = new URL(serverUrl);
  const user = decodeURIComponent(server.username);
  const password = decodeURIComponent(server.password);
  const port = await freePort();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const quote = (value: string) => `"${value.replace(/"/g, '""')}"`;
  fs.writeFileSync(path.join(dir, 'userlist.txt'), `${quote(user)} ${quote(password)}\n`, { mode: 0o600 });
  const ini = path.join(dir, 'pgbouncer.ini');
  fs.writeFileSync(
    ini,
    [
      '[databases]',
      `* = host=${server.hostname} port=${server.port || 5432}`,
      '[pgbouncer]',
      'pool_mode = transaction',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = scram-sha-256',
      `auth_file = ${path.join(dir, 'userlist.txt')}`,
      `logfile = ${path.join(dir, 'pgbouncer.log')}`,
      `pidfile = ${path.join(dir, 'pgbouncer.pid')}`,
      '',
    ].join('\n'),
  );
  // PgBouncer refuses to run as root: root (CI) runs it as the `postgres` OS user, as the embedded server.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
    for (const file of ['', 'userlist.txt', 'pgbouncer.ini']) fs.chownSync(path.join(dir, file), id('-u'), id('-g'));
  }
  const child = spawn(binary, [...(asRoot ? ['-u', 'postgres'] : []), ini], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = `postgresql://${server.username}:${server.password}@127.0.0.1:${port}/`;
  try {
    await waitUntilReady(child, `${url}${server.pathname.slice(1) || 'postgres'}`);
  } catch (error) {
    child.kill('SIGKILL');
    const log = fs.existsSync(path.join(dir, 'pgbouncer.log')) ? fs.readFileSync(path.join(dir, 'pgbouncer.log'), 'utf8') : '';
    throw new Error(`PgBouncer did not start: ${(error as Error).message}\n${stderr}${log.slice(-2000)}`);
  }
  return { url, dir, stop: () => stop(child) };
}

async function waitUntilReady(child: ChildProcess, url: string): Promise<void> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode}`);
    const client = new Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM'); // immediate shutdown: every test has closed its connections by now
  });
}

/** Where the pgbouncer project's global setup keeps its PgBouncer between setup and teardown. */
export function pgbouncerDir(): string {
  return path.join(os.tmpdir(), `tenantry-test-${process.pid}-pgbouncer`);
}
