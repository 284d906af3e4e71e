import { ChildProcess, spawn } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, freePort, TestDatabase } from './utils/test-database';
import { TEST_ADMIN_KEY } from './utils/test-app';
import { BUILD_TIMEOUT_MS, buildIfStale } from './utils/built-dist';

const ROOT = path.resolve(__dirname, '..');

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: any;
}

/** One HTTP request on `agent` (keep-alive), so the Connection header the server sends can be checked. */
function call(agent: http.Agent, port: number, method: string, route: string, headers: Record<string, string> = {}, body?: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: route, agent, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('graceful shutdown of the built server (SIGTERM)', () => {
  let database: TestDatabase;
  let child: ChildProcess;
  let port: number;
  let output = '';
  let exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

  beforeAll(async () => {
    buildIfStale();
    database = await createTestDatabase();
    port = await freePort();
    child = spawn(process.execPath, [path.join(ROOT, 'dist/src/main.js')], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        ADMIN_API_KEY: TEST_ADMIN_KEY,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'log',
        SHUTDOWN_GRACE_SECONDS: '30',
        INSTANCE_NAME: 'tenantry-drain-test',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
    for (let attempt = 0; ; attempt++) {
      if (child.exitCode !== null) throw new Error(`the server exited:\n${output}`);
      if (await call(agent, port, 'GET', '/health').then((r) => r.status === 200, () => false)) break;
      if (attempt > 600) throw new Error(`the server did not start:\n${output}`);
      await pause(100);
    }
  }, 180_000);

  afterAll(async () => {
    agent.destroy();
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await database?.drop();
  }, BUILD_TIMEOUT_MS);

  it('refuses new requests at once, lets the one in flight finish with 200, closes keep-alive, then exits 0', async () => {
    const created = await call(agent, port, 'POST', '/tenants', { 'X-Admin-Key': TEST_ADMIN_KEY }, { name: 'Drain', slug: 'drain' });
    expect(created.status).toBe(201);
    const key = { 'X-API-Key': created.body.apiKey as string };
    expect((await call(agent, port, 'POST', '/targets', key, { name: 'web-1', address: 'https://web-1.internal' })).status).toBe(201);
    expect((await call(agent, port, 'GET', '/health/ready')).status).toBe(200);

    // Hold the table so the next read waits in PostgreSQL: a request in flight for as long as the test wants.
    const locker = new Client({ connectionString: database.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query(`LOCK TABLE "${created.body.tenant.schemaName}"."targets" IN ACCESS EXCLUSIVE MODE`);
    const slow = call(agent, port, 'GET', '/targets', key);
    for (let attempt = 0; ; attempt++) {
      const { rows } = await locker.query(
        `SELECT count(*)::int AS "n" FROM pg_stat_activity WHERE "application_name" LIKE 'tenantry-drain-test%' AND "wait_event_type" = 'Lock'`,
      );
      if (rows[0].n > 0) break;
      if (attempt > 200) throw new Error('the slow request never reached the lock');
      await pause(50);
    }

    child.kill('SIGTERM');
    // The signal is handled as soon as the event loop gets to it; until then readiness may still say 200.
    let ready = await call(agent, port, 'GET', '/health/ready');
    for (let attempt = 0; ready.status === 200 && attempt < 200; attempt++) {
      await pause(25);
      ready = await call(agent, port, 'GET', '/health/ready');
    }
    expect(ready.status).toBe(503);
    expect(ready.headers['retry-after']).toMatch(/^\d+$/);
    expect(ready.headers.connection).toBe('close');
    expect(ready.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'The server is shutting down', requestId: expect.any(String) });

    const refused = await call(agent, port, 'GET', '/tenant-info', key);
    expect(refused.status).toBe(503);
    expect(refused.headers.connection).toBe('close');
    expect(child.exitCode).toBeNull(); // still draining: the slow request holds it

    await locker.query('COMMIT');
    await locker.end();
    const answered = await slow;
    expect(answered.status).toBe(200);
    expect(answered.body.items.map((target: { name: string }) => target.name)).toEqual(['web-1']);
    expect(answered.headers.connection).toBe('close');

    expect(await exit).toEqual({ code: 0, signal: null });
    expect(output).toMatch(/"msg":"stopped"/);
    // Nothing of the server is left connected: tenant pool, shared pool and the LISTEN connection closed.
    const admin = new Client({ connectionString: database.url });
    await admin.connect();
    const { rows } = await admin.query(`SELECT count(*)::int AS "n" FROM pg_stat_activity WHERE "datname" = current_database() AND "pid" <> pg_backend_pid()`);
    await admin.end();
    expect(rows[0].n).toBe(0);
  }, 60_000);
});
