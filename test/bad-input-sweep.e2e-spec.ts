import { Logger } from '@nestjs/common';
import { committedOpenApi } from './utils/committed-openapi';
import { createJob, createSession, MISSING_ID, TenantClient, tenantClient, createTarget } from './utils/domain-fixtures';
import { createTestApp, TEST_ADMIN_KEY, TestApp } from './utils/test-app';

/**
 * Every operation of the committed API document, each field of a valid body (two levels deep) replaced by each
 * of a set of hostile values, each path parameter and query parameter likewise: no answer is a 5xx, every refusal
 * has the error shape, nothing is logged as an error, and every answer is one the document declares (the agent
 * checks it). The valid bodies are built from the document's schemas, so a new route or field is swept with no
 * list to update.
 */

type Schema = Record<string, any>;
const doc = committedOpenApi();
const resolve = (schema: Schema | undefined): Schema => {
  let s = schema ?? {};
  while (s.$ref) s = doc.components.schemas[String(s.$ref).split('/').pop()!];
  if (s.allOf) return { ...s, ...Object.assign({}, ...s.allOf.map((part: Schema) => resolve(part))), allOf: undefined };
  return s;
};

const HOSTILE: unknown[] = [
  null, true, 0, -1, 1.5, 2 ** 31, 1e308, '', ' ', 'x'.repeat(10_001), "'; DROP TABLE x;--", '../../etc/passwd', '\uD800',
  'a\u0000b', [], [1], {}, { a: { b: [] } }, '2026-01-01T00:00:00', '+275760-09-13T00:00:00Z', 'A0000000-0000-4000-8000-00000000000A',
];
/** A raw integer a double cannot hold, spliced into the serialized body where this placeholder stands. */
const INEXACT = '__inexact__';
const HOSTILE_IDS = ['nope', 'A0000000-0000-4000-8000-00000000000A', MISSING_ID, '..%2F..%2Fetc', "1'%20OR%20'1'%3D'1", '%ED%A0%80', 'x'.repeat(3000)];
const HOSTILE_QUERY = ['', '-1', '1e9', 'abc', '%ED%A0%80', '%00', "'", 'x'.repeat(3000), '2026-01-01T00:00:00', '99999999999999999999999'];

const WORKER_ID = 'worker-7';
const VALID = 'the valid request';

interface Ids {
  targetId: string;
  sessionId: string;
  jobId: string;
  scheduleId: string;
  tenantId: string;
  keyId: string;
}

/** Which fixture an `{id}` of the path names. */
function resourceOf(path: string): keyof Ids {
  const [, first] = path.split('/');
  const byFolder: Record<string, keyof Ids> = { tenants: 'tenantId', targets: 'targetId', sessions: 'sessionId', schedules: 'scheduleId' };
  return byFolder[first] ?? 'jobId';
}

/** A body every rule of the schema accepts, with every optional property present. */
function sample(schema: Schema | undefined, name: string, ids: Ids): unknown {
  const s = resolve(schema);
  if (s.oneOf || s.anyOf) return sample((s.oneOf ?? s.anyOf)[0], name, ids);
  if (s.enum) return s.enum[0];
  if (s.type === 'object' || s.properties) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries<Schema>(s.properties ?? {})) if (key !== 'cloneFrom') out[key] = sample(value, key, ids);
    return out;
  }
  if (s.type === 'array') return Array.from({ length: Math.max(1, s.minItems ?? 0) }, () => sample(s.items, name, ids));
  if (s.type === 'integer' || s.type === 'number') return name === 'waitSeconds' ? 0 : (s.example ?? s.minimum ?? 1);
  if (s.type === 'boolean') return false;
  if (name === 'targetId' || name === 'sessionId' || name === 'id') return name === 'id' ? ids.jobId : ids[name];
  if (s.format === 'date-time') return new Date(Date.now() + 3_600_000).toISOString();
  if (name === 'slug' || name === 'name') return `sweep-${Math.floor(Math.random() * 1e9)}`;
  if (name === 'workerId') return WORKER_ID;
  if (name === 'cron') return '*/5 * * * *';
  if (name === 'timezone') return 'UTC';
  if (s.example !== undefined) return s.example;
  return 'a'.repeat(Math.max(1, s.minLength ?? 1));
}

/** Paths to every property, two levels deep (`job.type`, `items.0.id`). */
function fieldPaths(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object' || prefix.length >= 3) return [];
  return Object.keys(value).flatMap((key) => [[...prefix, key], ...fieldPaths((value as Record<string, unknown>)[key], [...prefix, key])]);
}

function replaced(body: unknown, path: string[], value: unknown): unknown {
  const copy = structuredClone(body) as Record<string, any>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key];
  if (value === undefined) delete node[path[path.length - 1]];
  else node[path[path.length - 1]] = value;
  return copy;
}

describe('bad input: a sweep of every operation in the API document', () => {
  let t: TestApp;
  let a: TenantClient;
  const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries<Schema>(item)
      .filter(([, op]) => !path.endsWith('/stream') && path !== '/metrics' && op.requestBody?.content?.['application/gzip'] === undefined)
      .map(([method, op]) => ({ method, path, op })),
  );

  beforeAll(async () => {
    t = await createTestApp();
    a = await tenantClient(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Fresh rows for the operation (a tenant of its own for the operator routes, which rename and re-key it). */
  async function fixtures(admin: boolean): Promise<{ ids: Ids; key: string }> {
    const owner = admin ? await tenantClient(t) : a;
    const target = await createTarget(owner);
    const session = await createSession(owner, target.id);
    // Running under the worker id the samples use, so the worker routes reach past the lease check.
    const job = await createJob(owner, target.id, { type: `sweep-${Math.random()}` });
    await owner.post('/jobs/claim', { workerId: WORKER_ID, types: [job.type] }).expect(200);
    const scheduleBody = { name: `sweep-${Math.random()}`, cron: '0 3 * * *', job: { targetId: target.id, type: 'sweep' } };
    const schedule = (await owner.post('/schedules', scheduleBody).expect(201)).body;
    const keyBody = { name: `sweep-${Math.random()}`, scopes: ['read'] };
    const key = (await t.http().post(`/tenants/${owner.id}/keys`).set('X-Admin-Key', TEST_ADMIN_KEY).send(keyBody).expect(201)).body;
    const ids = { targetId: target.id, sessionId: session.id, jobId: job.id, scheduleId: schedule.id, tenantId: owner.id, keyId: key.key.id };
    return { ids, key: owner.apiKey };
  }

  it.each(operations.map(({ method, path, op }) => [`${method.toUpperCase()} ${path}`, method, path, op] as const))(
    '%s answers every hostile field, id and query value below 500, in the error shape',
    async (_name, method, path, op) => {
      const admin = path.startsWith('/tenants');
      const { ids, key } = await fixtures(admin);
      const idOf = (param: string) => (param === 'keyId' ? ids.keyId : ids[resourceOf(path)]);
      const url = (over: Record<string, string> = {}) => path.replace(/\{(\w+)\}/g, (_m, param: string) => over[param] ?? idOf(param));
      const schema = op.requestBody?.content?.['application/json']?.schema as Schema | undefined;
      const body = schema ? sample(schema, '', ids) : undefined;
      const errors = jest.spyOn(Logger.prototype, 'error');
      const seen: string[] = [];
      let sent = 0;
      const send = async (what: string, target: string, payload?: unknown) => {
        let req = (t.http() as any)[method](target).set(admin ? 'X-Admin-Key' : 'X-API-Key', admin ? TEST_ADMIN_KEY : key);
        if (payload !== undefined) {
          req = req.set('Content-Type', 'application/json').send(JSON.stringify(payload).replaceAll(`"${INEXACT}"`, '-98765432109876543210'));
        }
        const res = await req;
        sent += 1;
        if (what === VALID && res.status >= 400 && res.status !== 409) seen.push(`${what}: ${res.status} ${res.text.slice(0, 160)}`);
        const shaped = res.status < 400 || (res.body?.statusCode === res.status && typeof res.body?.error === 'string' && res.body?.message !== undefined);
        if (res.status >= 500 || !shaped) seen.push(`${what}: ${res.status} ${res.text.slice(0, 160)}`);
      };
      try {
        // The valid request first: accepted, or refused only by the state of the fixtures (a 409, e.g. a retry of a
        // queued job), so the hostile values below are what a route refuses.
        await send(VALID, url(), body);
        for (const param of [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])) {
          for (const bad of HOSTILE_IDS) await send(`${param}=${bad.slice(0, 30)}`, url({ [param]: bad }), body);
        }
        for (const param of (op.parameters ?? []).filter((p: Schema) => p.in === 'query')) {
          for (const bad of HOSTILE_QUERY) await send(`?${param.name}=${bad.slice(0, 30)}`, `${url()}?${param.name}=${bad}`, body);
        }
        if (body !== undefined) {
          for (const field of fieldPaths(body)) {
            const name = field.join('.');
            for (const bad of [...HOSTILE, INEXACT, undefined]) await send(`${name}=${JSON.stringify(bad)?.slice(0, 30)}`, url(), replaced(body, field, bad));
            await send(`${name} beside an unknown field`, url(), replaced(body, [...field.slice(0, -1), 'unknownField'], 1));
          }
        }
        expect(seen).toEqual([]);
        expect(sent).toBeGreaterThan(body !== undefined || path.includes('{') || op.parameters?.length ? 7 : 0);
        expect(errors).not.toHaveBeenCalled();
      } finally {
        errors.mockRestore();
      }
    },
    120_000,
  );

  it('sweeps the routes that take a body, and the operator routes', () => {
    const withBody = operations.filter(({ op }) => op.requestBody?.content?.['application/json']);
    expect(withBody.length).toBeGreaterThanOrEqual(15);
    expect(operations.some(({ path }) => path === '/tenants/{id}/keys/{keyId}/rotate')).toBe(true);
  });
});
