import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { connect } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { validateEnvironment } from '../src/config/environment-variables';
import { connectDatabase } from '../src/database/database-connection';
import { isAlive, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../src/database/embedded-postgres';
import { createTestDatabase, freePort, withClient } from './utils/test-database';

const currentDatabase = (url: string) =>
  withClient(url, async (client) => (await client.query<{ name: string }>('SELECT current_database() AS name')).rows[0].name);

describe('test databases', () => {
  it('clones a fresh database from the template and drops it', async () => {
    const db = await createTestDatabase();
    try {
      expect(db.name).toMatch(/^tenantry_test_/);
      await expect(currentDatabase(db.url)).resolves.toBe(db.name);
    } finally {
      await db.drop();
    }
    await db.drop(); // idempotent
    const left = await withClient(process.env.TENANTRY_TEST_ADMIN_URL!, (client) =>
      client.query('SELECT 1 FROM pg_database WHERE datname = $1', [db.name]),
    );
    expect(left.rowCount).toBe(0);
  });

  it('gives concurrent callers separate databases', async () => {
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    try {
      expect(a.name).not.toBe(b.name);
      await withClient(a.url, (client) => client.query('CREATE TABLE only_in_a (id int)'));
      const inB = await withClient(b.url, (client) => client.query(`SELECT to_regclass('only_in_a') AS t`));
      expect(inB.rows[0].t).toBeNull();
    } finally {
      await Promise.all([a.drop(), b.drop()]);
    }
  });
});

describe('startEmbeddedPostgres', () => {
  // The tenantry-test-<pid> prefix lets the next run's global setup clean up after a killed worker.
  const dataDir = path.join(os.tmpdir(), `tenantry-test-${process.pid}-${randomBytes(4).toString('hex')}`);
  const handles: EmbeddedPostgresHandle[] = [];
  const start = async (port: number) => {
    const handle = await startEmbeddedPostgres({ dataDir, port });
    handles.push(handle);
    return handle;
  };

  afterAll(async () => {
    for (const handle of handles) await handle.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('connects to the instance already running on the same data directory', async () => {
    const port = await freePort();
    const first = await start(port);
    expect(first.startedHere).toBe(true);
    const pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    await withClient(first.url, async (client) => {
      await client.query('CREATE TABLE kept (v text)');
      await client.query(`INSERT INTO kept VALUES ('survives restarts')`);
    });

    // A different requested port: the second caller must use the port the instance listens on.
    const second = await start(await freePort());
    expect(second.startedHere).toBe(false);
    expect(second.url).toBe(first.url);
    await second.stop(); // not ours to stop
    await expect(currentDatabase(second.url)).resolves.toBe('postgres');

    await first.stop();
    await first.stop(); // idempotent
    expect(isAlive(pid)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false);
    await expect(acceptsConnections(port)).resolves.toBe(false);
  });

  it('a process that started the instance leaves it running while another process is still connected', async () => {
    const port = await freePort();
    const config = validateEnvironment({ EMBEDDED_PG_DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(port) });
    const starter = await connectDatabase(config, () => undefined); // e.g. `npm run cli -- migrate`
    expect(starter.startedEmbedded).toBe(true);
    const joiner = await connectDatabase(config, () => undefined); // e.g. `npm start` meanwhile
    expect(joiner.startedEmbedded).toBe(false);
    const pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);

    await withClient(joiner.url, async (client) => {
      await starter.close(); // the CLI exits while the server still holds a connection
      expect(isAlive(pid)).toBe(true);
      await expect(client.query('SELECT 1 AS "ok"')).resolves.toMatchObject({ rows: [{ ok: 1 }] });
    });

    await joiner.close(); // not its instance: a no-op
    expect(isAlive(pid)).toBe(true);
    await starter.close(); // nobody else connected now: stops
    expect(isAlive(pid)).toBe(false);
    await expect(acceptsConnections(port)).resolves.toBe(false);
  });

  it('says so when another server holds the port, instead of a password error', async () => {
    const port = await freePort();
    const first = await start(port);
    const otherDir = `${dataDir}-other`;
    try {
      await expect(startEmbeddedPostgres({ dataDir: otherDir, port })).rejects.toThrow(
        `port ${port} is taken by another PostgreSQL server, not the one of ${otherDir}: stop it, or set EMBEDDED_PG_PORT to a free port`,
      );
      await expect(currentDatabase(first.url)).resolves.toBe('postgres');
    } finally {
      await first.stop();
      fs.rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('restarts on an existing data directory with its data', async () => {
    const handle = await start(await freePort());
    expect(handle.startedHere).toBe(true);
    const rows = await withClient(handle.url, async (client) => (await client.query('SELECT v FROM kept')).rows);
    expect(rows).toEqual([{ v: 'survives restarts' }]);
    await handle.stop();
  });
});


function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
