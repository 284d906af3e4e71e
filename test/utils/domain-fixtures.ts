import { Logger } from '@nestjs/common';
import request from 'supertest';
import { createTestApp, type TestApp } from './test-app';

export const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const MISSING_ID = '00000000-0000-4000-8000-000000000000';
export const DOMAIN_TABLES = ['targets', 'sessions', 'jobs', 'job_logs', 'schedules'] as const;
export type DomainTable = (typeof DOMAIN_TABLES)[number];

/** A tenant as its API clients see it, plus direct (test-only) access to its schema. */
export interface TenantClient {
  id: string;
  apiKey: string;
  schema: string;
  get(path: string): request.Test;
  post(path: string, body?: unknown): request.Test;
  patch(path: string, body?: unknown): request.Test;
  delete(path: string): request.Test;
  /** Rows of one of the tenant's tables. */
  count(table: DomainTable): Promise<number>;
  /** Raw SQL on the tenant's schema; `$schema` in the text is replaced by the quoted schema name. */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Row counts of every domain table: for "nothing was written" assertions. */
  counts(): Promise<Record<DomainTable, number>>;
}

export async function tenantClient(t: TestApp, slug?: string): Promise<TenantClient> {
  const { tenant, apiKey } = await t.createTenant(slug);
  const schema = `"${tenant.schemaName}"`;
  const as = (req: request.Test) => req.set('X-API-Key', apiKey);
  const sql = <T>(text: string, params: unknown[] = []) =>
    t.db.query(text.replace(/\$schema/g, schema), params) as Promise<T[]>;
  const count = async (table: DomainTable) =>
    Number((await sql<{ n: string }>(`SELECT count(*) AS n FROM $schema."${table}"`))[0].n);
  return {
    id: tenant.id,
    apiKey,
    schema: tenant.schemaName,
    get: (path) => as(t.http().get(path)),
    post: (path, body) => as(t.http().post(path)).send(body as object),
    patch: (path, body) => as(t.http().patch(path)).send(body as object),
    delete: (path) => as(t.http().delete(path)),
    count,
    sql,
    counts: async () => {
      const entries = await Promise.all(DOMAIN_TABLES.map(async (table) => [table, await count(table)] as const));
      return Object.fromEntries(entries) as Record<DomainTable, number>;
    },
  };
}

let sequence = 0;
export function uniqueName(prefix = 'target'): string {
  sequence += 1;
  return `${prefix}-${sequence}-${Math.floor(Math.random() * 1e9)}`;
}

export async function createTarget(client: TenantClient, body: Record<string, unknown> = {}): Promise<TargetBody> {
  const res = await client
    .post('/targets', { name: uniqueName(), address: 'https://example.test', ...body })
    .expect(201);
  return res.body;
}

export async function createSession(
  client: TenantClient,
  targetId: string,
  body: Record<string, unknown> = {},
): Promise<SessionBody> {
  const res = await client.post('/sessions', { targetId, ...body }).expect(201);
  return res.body;
}

export async function createJob(
  client: TenantClient,
  targetId: string,
  body: Record<string, unknown> = {},
): Promise<JobBody> {
  const res = await client.post('/jobs', { targetId, type: 'generic', ...body }).expect(201);
  return res.body;
}

/** Claims the next job (optionally of given types) for `workerId`; null on 204. */
export async function claim(
  client: TenantClient,
  workerId: string,
  body: Record<string, unknown> = {},
): Promise<JobBody | null> {
  const res = await client.post('/jobs/claim', { workerId, ...body });
  if (res.status === 204) return null;
  expect(res.status).toBe(200);
  return res.body;
}

/** Follows `nextCursor` to the end of a list. */
export async function listAll<T>(client: TenantClient, path: string, limit = 100): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  const separator = path.includes('?') ? '&' : '?';
  do {
    const query: string = `${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await client.get(path + query).expect(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

export interface TargetBody {
  id: string;
  name: string;
  kind: string;
  address: string;
  tags: string[];
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface SessionBody {
  id: string;
  targetId: string;
  status: 'active' | 'closed' | 'expired';
  metadata: Record<string, unknown>;
  expiresAt: string | null;
  closedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface JobBody {
  id: string;
  targetId: string;
  sessionId: string | null;
  type: string;
  payload: Record<string, unknown>;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  priority: number;
  attempts: number;
  maxAttempts: number;
  runAt: string;
  workerId: string | null;
  leaseExpiresAt: string | null;
  result: Record<string, unknown> | null;
  error: string | null;
  progress: { percent: number; message?: string } | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface JobLogBody {
  seq: number;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  data: Record<string, unknown> | null;
  timestamp: string;
}

/** The setup most domain test files share: an app on a fresh database, one tenant, and one of its targets. */
export async function tenantWithTarget(): Promise<{ t: TestApp; a: TenantClient; targetId: string }> {
  const t = await createTestApp();
  const a = await tenantClient(t);
  return { t, a, targetId: (await createTarget(a)).id };
}

/**
 * The suite's app, tenant and target, made in its beforeAll and closed in its afterAll (registered here): tests read
 * `suite.t`, `suite.a` and `suite.targetId`.
 */
export function tenantSuite(): { t: TestApp; a: TenantClient; targetId: string } {
  const suite = {} as { t: TestApp; a: TenantClient; targetId: string };
  beforeAll(async () => {
    Object.assign(suite, await tenantWithTarget());
  });
  afterAll(async () => {
    await suite.t?.close();
  });
  return suite;
}

/** `body` sent as written, as JSON: a string, or a Buffer's bytes (superagent would serialize an object, and a Buffer as JSON). */
export function sendJsonText(client: TenantClient, method: 'post' | 'patch', path: string, body: string | Buffer): request.Test {
  return client[method](path).set('Content-Type', 'application/json').serialize((raw: unknown) => raw as string).send(body);
}

/** Runs `send`, expecting a 400 with `message`, nothing written to the tenant's tables and nothing logged as an error. */
export async function expectRefused(
  client: TenantClient,
  send: () => Promise<{ status: number; body: { message: unknown } }>,
  message: unknown,
): Promise<void> {
  const errors = jest.spyOn(Logger.prototype, 'error');
  try {
    const before = await client.counts();
    const res = await send();
    expect({ status: res.status, message: res.body.message }).toEqual({ status: 400, message });
    expect(await client.counts()).toEqual(before);
    expect(errors).not.toHaveBeenCalled();
  } finally {
    errors.mockRestore();
  }
}
