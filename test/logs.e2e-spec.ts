import { randomBytes } from 'node:crypto';
import { createRootLogger } from '../src/ops/logging/root-logger';
import { createTestApp, TEST_ADMIN_KEY, TestApp, uniqueSlug } from './utils/test-app';
import { forgedKeyFor } from './utils/forged-key';

interface LogLine {
  level: string;
  msg: string;
  requestId?: string;
  tenant?: string;
  context?: string;
  method?: string;
  route?: string | null;
  status?: number;
  durationMs?: number;
  [key: string]: unknown;
}

/** Every key, key id + secret, hash and salt seen or stored, in the forms they could be logged in. */
function keyMaterial(key: string): string[] {
  const secret = key.slice(17, 17 + 43);
  return [key, key.slice(4, 17 + 43), secret];
}

describe('logs', () => {
  let t: TestApp;
  const raw: string[] = [];
  const lines = () => raw.map((line) => JSON.parse(line) as LogLine);
  const admin = TEST_ADMIN_KEY;

  beforeAll(async () => {
    t = await createTestApp({ LOG_LEVEL: 'verbose' }, (config) => createRootLogger(config, { write: (line: string) => void raw.push(line) }));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('writes every line as one JSON object with a level and a message', async () => {
    await t.http().get('/health').expect(200);
    expect(raw.length).toBeGreaterThan(0);
    for (const line of raw) {
      expect(line.endsWith('\n')).toBe(true);
      expect(line.trimEnd()).not.toContain('\n');
      expect(JSON.parse(line)).toEqual(expect.objectContaining({ level: expect.any(String), msg: expect.any(String), time: expect.any(String) }));
    }
  });

  it('logs one line per request: method, route pattern, status, duration, request id and the tenant slug', async () => {
    const slug = uniqueSlug('log');
    const created = await t.http().post('/tenants').set('X-Admin-Key', admin).send({ name: 'Logged', slug }).expect(201);
    const key: string = created.body.apiKey;
    const target = await t.http().post('/targets').set('X-API-Key', key).send({ name: 'web-1', address: 'https://web-1.internal' }).expect(201);
    const res = await t.http().get(`/targets/${target.body.id}`).set('X-API-Key', key).expect(200);
    const requestId = res.headers['x-request-id'];

    const forRequest = lines().filter((line) => line.requestId === requestId);
    const requestLines = forRequest.filter((line) => line.msg === 'request completed');
    expect(requestLines).toEqual([
      expect.objectContaining({ level: 'info', method: 'GET', route: '/targets/:id', status: 200, durationMs: expect.any(Number), tenant: slug }),
    ]);
    const adminLine = lines().find((line) => line.requestId === created.headers['x-request-id'] && line.msg === 'request completed');
    expect(adminLine).toEqual(expect.objectContaining({ method: 'POST', route: '/tenants', status: 201 }));
    expect(adminLine).not.toHaveProperty('tenant');

    const missing = await t.http().get('/no-such-route').expect(404);
    const missingLine = lines().find((line) => line.requestId === missing.headers['x-request-id'] && line.msg === 'request completed');
    expect(missingLine).toEqual(expect.objectContaining({ method: 'GET', route: null, path: '/no-such-route', status: 404 }));
  });

  it('puts the request id and the tenant on the SQL error and error lines logged while serving the request', async () => {
    const slug = uniqueSlug('sql');
    const created = await t.http().post('/tenants').set('X-Admin-Key', admin).send({ name: 'Sql', slug }).expect(201);
    // A table gone from under the app: the query fails in PostgreSQL, the request answers 500.
    await t.db.query(`DROP TABLE "${created.body.tenant.schemaName}"."sessions" CASCADE`);
    const failed = await t.http().get('/sessions').set('X-API-Key', created.body.apiKey).expect(500);
    expect(JSON.stringify(failed.body)).not.toMatch(/sessions|relation/);

    const forRequest = lines().filter((line) => line.requestId === failed.headers['x-request-id']);
    expect(forRequest).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ level: 'debug', context: 'SQL', tenant: slug, msg: expect.stringMatching(/^query failed \(relation .* does not exist\)/) }),
        expect.objectContaining({ level: 'error', context: 'HTTP', tenant: slug }),
        expect.objectContaining({ level: 'error', msg: 'request failed', method: 'GET', route: '/sessions', status: 500, tenant: slug }),
      ]),
    );
  });

  // Last: it reads the log of every request of this file (SQL errors above included).
  it('never logs a key, key id + secret, hash, salt, credential header or request body of a workload', async () => {
    const slug = uniqueSlug('red');
    const bodyMarker = `body-marker-${randomBytes(8).toString('hex')}`;
    const bearer = `bearer-${randomBytes(16).toString('hex')}`;
    const wrongAdmin = `wrong-admin-${randomBytes(16).toString('hex')}`;
    const keys: string[] = [];

    const created = await t.http().post('/tenants').set('X-Admin-Key', admin).send({ name: bodyMarker, slug }).expect(201);
    keys.push(created.body.apiKey);
    // A duplicate slug: the INSERT that fails carries the new key's hash and salt as parameters.
    await t.http().post('/tenants').set('X-Admin-Key', admin).send({ name: 'Again', slug }).expect(409);
    await t.http().get('/tenants').set('X-Admin-Key', wrongAdmin).expect(401);
    await t.http().post('/targets').set('X-API-Key', keys[0]).set('Authorization', `Bearer ${bearer}`)
      .send({ name: bodyMarker, address: 'https://marker.internal' }).expect(201);
    const forged = forgedKeyFor(keys[0]);
    await t.http().get('/tenant-info').set('X-API-Key', forged).expect(401);
    await t.http().get('/tenant-info').set('X-API-Key', keys[0].slice(0, -1) + (keys[0].endsWith('x') ? 'y' : 'x')).expect(401);
    const regenerated = await t.http().post(`/tenants/${created.body.tenant.id}/regenerate-api-key`).set('X-Admin-Key', admin).expect(200);
    keys.push(regenerated.body.apiKey);
    await t.http().get('/tenant-info').set('X-API-Key', keys[0]).expect(401);
    await t.http().get('/tenant-info').set('X-API-Key', keys[1]).expect(200);

    const stored = await storedSecrets(t);
    expect(stored.length).toBeGreaterThan(0);
    const log = raw.join('');
    expect(log).toContain(slug); // the workload was logged
    const forbidden = [...keys.flatMap(keyMaterial), ...keyMaterial(forged), ...stored, admin, wrongAdmin, bearer, bodyMarker];
    for (const value of forbidden) {
      expect({ value, logged: log.includes(value) }).toEqual({ value, logged: false });
    }
  });
});

/**
 * Every hash and salt in the shared schema, whatever the columns are called: each value whole, and each of
 * its `$`-separated parts long enough to be a salt or a hash (iterations and algorithm names are not secret).
 */
async function storedSecrets(t: TestApp): Promise<string[]> {
  const columns: Array<{ table: string; column: string }> = await t.db.query(
    `SELECT "table_name" AS "table", "column_name" AS "column" FROM information_schema.columns
      WHERE "table_schema" = 'shared' AND ("column_name" LIKE '%hash%' OR "column_name" LIKE '%salt%')`,
  );
  const values: string[] = [];
  for (const { table, column } of columns) {
    const rows: Array<{ value: unknown }> = await t.db.query(
      `SELECT ${quote(column)} AS "value" FROM "shared".${quote(table)} WHERE ${quote(column)} IS NOT NULL`,
    );
    for (const { value } of rows) {
      const forms = Buffer.isBuffer(value) ? [value.toString('hex'), value.toString('base64')] : [String(value)];
      for (const form of forms) values.push(form, ...form.split('$').filter((part) => part.length >= 16));
    }
  }
  return values;
}

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;
