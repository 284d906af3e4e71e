import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import request from 'supertest';
import type { TestApp } from './test-app';
import { TEST_ADMIN_KEY } from './test-app';
import { tenantClient, createTarget, createSession, createJob, type TenantClient } from './domain-fixtures';

/** An export archive taken apart (docs/export-format.md), so tests can read it and build damaged ones. */
export interface DecodedArchive {
  header: Record<string, any>;
  tables: Array<{ section: Record<string, any>; data: Buffer }>;
  manifest: Record<string, any> | null;
}

export function decodeArchive(gzipped: Buffer): DecodedArchive {
  const raw = gunzipSync(gzipped);
  let at = 0;
  const line = () => {
    const end = raw.indexOf(10, at);
    const text = raw.subarray(at, end).toString('utf8');
    at = end + 1;
    return text;
  };
  const header = JSON.parse(line());
  const tables: DecodedArchive['tables'] = [];
  for (let i = 0; i < header.tables.length; i++) {
    const section = JSON.parse(line());
    const parts: Buffer[] = [];
    for (let length = Number(line()); length > 0; length = Number(line())) {
      parts.push(raw.subarray(at, at + length));
      at += length;
    }
    tables.push({ section, data: Buffer.concat(parts) });
  }
  const manifest = at < raw.length ? JSON.parse(line()) : null;
  return { header, tables, manifest };
}

/** The archive again; `manifest: null` leaves it out. Data goes in one frame per table. */
export function encodeArchive(archive: DecodedArchive, options: { gzip?: boolean } = {}): Buffer {
  const parts: Buffer[] = [Buffer.from(`${JSON.stringify(archive.header)}\n`)];
  for (const table of archive.tables) {
    parts.push(Buffer.from(`${JSON.stringify(table.section)}\n`));
    if (table.data.length) parts.push(Buffer.from(`${table.data.length}\n`), table.data);
    parts.push(Buffer.from('0\n'));
  }
  if (archive.manifest) parts.push(Buffer.from(`${JSON.stringify(archive.manifest)}\n`));
  const raw = Buffer.concat(parts);
  return options.gzip === false ? raw : gzipSync(raw);
}

export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** GET /tenants/{id}/export as a Buffer. */
export async function exportArchive(t: TestApp, tenantId: string): Promise<request.Response & { body: Buffer }> {
  return t
    .http()
    .get(`/tenants/${tenantId}/export`)
    .set('X-Admin-Key', TEST_ADMIN_KEY)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    }) as Promise<request.Response & { body: Buffer }>;
}

export function importArchive(t: TestApp, body: Buffer, query: Record<string, string>): request.Test {
  return t
    .http()
    .post('/tenants/import')
    .query(query)
    .set('X-Admin-Key', TEST_ADMIN_KEY)
    .set('Content-Type', 'application/gzip')
    .send(body);
}

/** A tenant with rows in every table, some with awkward values (quotes, tabs, newlines, NULLs, unicode). */
export async function tenantWithData(t: TestApp): Promise<TenantClient> {
  const a = await tenantClient(t);
  const target = await createTarget(a, {
    name: '"quoted" \\ back',
    // A tab (COPY's column separator) in free text: a name refuses control characters.
    address: 'tab\there "quoted" \\ back',
    tags: ['x', 'y z'],
    metadata: { note: 'line\nbreak', emoji: '🦊', nested: { n: 1 } },
  });
  const other = await createTarget(a);
  const session = await createSession(a, target.id, { metadata: { s: 1 } });
  const job = await createJob(a, target.id, { sessionId: session.id, payload: { p: [1, 2] }, priority: 5 });
  await createJob(a, other.id);
  await a
    .post(`/jobs/${job.id}/logs`, { entries: [{ level: 'info', message: 'first\nline' }, { level: 'warn', message: 'two', data: { k: null } }] })
    .expect(201);
  await a
    .post('/schedules', { name: 'nightly', cron: '0 3 * * *', timezone: 'Europe/Paris', job: { targetId: target.id, sessionId: session.id, type: 'backup', payload: { full: true } } })
    .expect(201);
  return a;
}

/** Every row of every domain table of a schema, in primary-key order, as text (for "identical contents"). */
export async function schemaRows(t: TestApp, schema: string): Promise<Record<string, string[]>> {
  const rows: Record<string, string[]> = {};
  for (const [table, key] of [['targets', 'id'], ['sessions', 'id'], ['jobs', 'id'], ['job_logs', 'job_id, seq'], ['schedules', 'id']]) {
    const result: Array<{ row: string }> = await t.db.query(`SELECT t::text AS "row" FROM "${schema}"."${table}" t ORDER BY ${key}`);
    rows[table] = result.map((r) => r.row);
  }
  return rows;
}

/** What a failed import or clone must not leave: a registry row, a schema or a ledger entry for the slug. */
export async function leftovers(t: TestApp, slug: string): Promise<unknown[]> {
  const schema = `tenant_${slug.replace(/-/g, '_')}`;
  return [
    ...(await t.db.query(`SELECT 'tenant' AS what FROM shared.tenants WHERE slug = $1`, [slug])),
    ...(await t.db.query(`SELECT 'schema' AS what FROM pg_namespace WHERE nspname = $1`, [schema])),
    ...(await t.db.query(`SELECT 'ledger' AS what FROM shared.schema_versions WHERE schema_name = $1`, [schema])),
  ];
}
