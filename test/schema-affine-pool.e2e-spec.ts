import { SchemaAffinePool } from '../src/database/tenant-connections/schema-affine-pool';
import { createTestDatabase, TestDatabase } from './utils/test-database';

describe('SchemaAffinePool (tenant connections with a home connection per schema)', () => {
  const SIZE = 3;
  let db: TestDatabase;
  let pool: SchemaAffinePool;
  const idleErrors: Error[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new SchemaAffinePool({ connectionString: db.url, max: SIZE, application_name: 'affine-test' }, (error) => idleErrors.push(error));
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  /** Runs `sql` on a connection taken for `schema` and returns that connection's backend pid. */
  const backendFor = async (schema: string, sql = 'SELECT pg_backend_pid() AS "pid"'): Promise<number> => {
    const client = await pool.connect(schema);
    try {
      const { rows } = await client.query(sql.includes('pg_backend_pid') ? sql : `SELECT pg_backend_pid() AS "pid", (${sql}) AS "x"`);
      return rows[0].pid as number;
    } finally {
      client.release();
    }
  };
  const backends = async (): Promise<number> => {
    const { rows } = await pool.connect('any').then(async (client) => {
      try {
        return await client.query(`SELECT count(*)::int AS "n" FROM pg_stat_activity WHERE "application_name" = 'affine-test'`);
      } finally {
        client.release();
      }
    });
    return rows[0].n as number;
  };
  /** Schema names whose home lanes are all different. */
  const schemasOnDistinctLanes = (): string[] => {
    const byLane = new Map<number, string>();
    for (let i = 0; byLane.size < SIZE; i++) {
      const name = `tenant_s${i}`;
      if (!byLane.has(pool.homeLane(name))) byLane.set(pool.homeLane(name), name);
    }
    return [...byLane.values()];
  };

  it('gives each schema a stable home lane within the pool size', () => {
    const lanes = Array.from({ length: 200 }, (_, i) => pool.homeLane(`tenant_t${i}`));
    expect(lanes.every((lane) => Number.isInteger(lane) && lane >= 0 && lane < SIZE)).toBe(true);
    expect(new Set(lanes).size).toBe(SIZE); // 200 names spread over every lane
    expect(pool.homeLane('tenant_t7')).toBe(pool.homeLane('tenant_t7'));
  });

  it('serves a schema from its home connection whenever that one is free', async () => {
    const [a, b, c] = schemasOnDistinctLanes();
    const first = { a: await backendFor(a), b: await backendFor(b), c: await backendFor(c) };
    expect(new Set(Object.values(first)).size).toBe(3);
    for (let round = 0; round < 5; round++) {
      for (const [name, schema] of [['a', a], ['b', b], ['c', c]] as const) expect(await backendFor(schema)).toBe(first[name]);
    }
  });

  it('lends a busy schema the other idle connections, and never opens more than the pool size', async () => {
    const [a] = schemasOnDistinctLanes();
    const pids = await Promise.all(Array.from({ length: SIZE }, () => backendFor(a, 'SELECT pg_sleep(0.2)')));
    expect(new Set(pids).size).toBe(SIZE);
    // Three times as many concurrent queries as connections: they queue, all complete, backends stay at SIZE.
    const many = await Promise.all(Array.from({ length: SIZE * 3 }, (_, i) => backendFor(`tenant_q${i}`, 'SELECT pg_sleep(0.05)')));
    expect(many).toHaveLength(SIZE * 3);
    expect(new Set(many).size).toBeLessThanOrEqual(SIZE);
    expect(await backends()).toBeLessThanOrEqual(SIZE);
    expect(idleErrors).toEqual([]);
  });

  it('gives a waiting query the first connection released anywhere, not only its home one', async () => {
    const [a, b] = schemasOnDistinctLanes();
    const finished: string[] = [];
    const run = (label: string, schema: string, sql: string) => backendFor(schema, sql).then(() => void finished.push(label));
    const slow = run('slow on a', a, 'SELECT pg_sleep(3)');
    const short = run('short on b', b, 'SELECT pg_sleep(0.2)');
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Every connection is busy now (SIZE = 3: the third lane serves whichever of a, b spilled, or stays empty).
    const blockers = Array.from({ length: SIZE - 2 }, (_, i) => run(`blocker ${i}`, a, 'SELECT pg_sleep(3)'));
    const waiting = run('waiting, home = a', a, 'SELECT 1');
    await Promise.all([slow, short, waiting, ...blockers]);
    expect(finished.indexOf('waiting, home = a')).toBeLessThan(finished.indexOf('slow on a'));
    expect(finished.slice(0, 2)).toEqual(['short on b', 'waiting, home = a']);
  });

  it('caps the connections one schema holds; its extra queries wait while other schemas go ahead', async () => {
    const capped = new SchemaAffinePool({ connectionString: db.url, max: 3 }, () => undefined, 1);
    try {
      const finished: string[] = [];
      const run = async (label: string, schema: string, sql: string) => {
        const client = await capped.connect(schema);
        try {
          await client.query(sql);
        } finally {
          client.release();
        }
        finished.push(label);
      };
      const first = run('a: slow', 'tenant_a', 'SELECT pg_sleep(1.5)');
      await new Promise((resolve) => setTimeout(resolve, 50));
      // Two connections are free, but tenant_a is at its cap of 1: its second query waits for its first.
      const second = run('a: quick', 'tenant_a', 'SELECT 1');
      const other = run('b: quick', 'tenant_b', 'SELECT 1');
      await Promise.all([first, second, other]);
      expect(finished).toEqual(['b: quick', 'a: slow', 'a: quick']);
    } finally {
      await capped.end();
    }
  });

  it('fails a wait longer than connectionTimeoutMillis with a clear error, and serves the next caller', async () => {
    const small = new SchemaAffinePool({ connectionString: db.url, max: 1, connectionTimeoutMillis: 200 }, () => undefined);
    try {
      const busy = small.connect('tenant_a');
      const held = await busy;
      await expect(small.connect('tenant_b')).rejects.toThrow('timeout exceeded when trying to connect');
      held.release();
      const next = await small.connect('tenant_b');
      expect((await next.query('SELECT 1 AS "one"')).rows).toEqual([{ one: 1 }]);
      next.release();
    } finally {
      await small.end();
    }
    await expect(small.connect('tenant_a')).rejects.toThrow(/closed/);
  });

  it('hands a connection error to the caller and keeps serving', async () => {
    const client = await pool.connect('tenant_broken');
    client.release(new Error('discard this connection')); // an error on release destroys the connection
    await expect(backendFor('tenant_broken')).resolves.toEqual(expect.any(Number));
    const broken = new SchemaAffinePool({ connectionString: db.url.replace(/\/[^/]+$/, '/no_such_database'), max: 1 }, () => undefined);
    try {
      await expect(broken.connect('tenant_x')).rejects.toThrow(/no_such_database/);
    } finally {
      await broken.end();
    }
    expect(broken.ended).toBe(true);
  });

  it('survives the backend of a connection it lent out being terminated between statements, and replaces the connection', async () => {
    const client = await pool.connect('tenant_ended');
    const { rows } = await client.query('SELECT pg_backend_pid() AS "pid"');
    const ended = new Promise<void>((resolve) => client.once('end', resolve));
    // Lent out and idle: pg reports the loss as an 'error' event, which kills the process unless someone listens.
    await backendFor('tenant_other', `SELECT pg_terminate_backend(${Number(rows[0].pid)})`);
    await ended;
    client.release();
    expect(await backendFor('tenant_ended')).not.toBe(rows[0].pid);
  });
});
