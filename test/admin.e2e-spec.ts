import { Logger } from '@nestjs/common';
import request from 'supertest';
import { LATEST_TENANT_VERSION, TENANT_STEPS } from '../src/database/migrations/migration-sets';
import { TenantProvisionerService } from '../src/tenancy/registry/tenant-provisioner.service';
import type { Tenant } from '../src/tenancy/registry/tenant.entity';
import { TenantsService } from '../src/tenancy/registry/tenants.service';
import { buildApp, closeApp, createTestApp, TEST_ADMIN_KEY, TestApp, uniqueSlug } from './utils/test-app';

const TENANT_KEYS = ['createdAt', 'deletedAt', 'id', 'isActive', 'name', 'purgeAfter', 'rateLimit', 'schemaName', 'slug', 'updatedAt'];
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const KEY = /^tnt_[0-9A-Za-z]{12}_[0-9A-Za-z]{49}$/;
const MISSING_ID = '00000000-0000-4000-8000-000000000000';

describe('operator API (/tenants)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const as = (req: request.Test) => req.set('X-Admin-Key', TEST_ADMIN_KEY);
  const post = (body: unknown) => as(t.http().post('/tenants')).send(body as object);

  /** What exists in the database: registry rows, tenant schemas and ledger entries. */
  async function snapshot(): Promise<{ rows: string[]; schemas: string[]; ledger: string[] }> {
    const rows = await t.db.query(`SELECT "slug" FROM "shared"."tenants" ORDER BY 1`);
    const schemas = await t.db.query(`SELECT "nspname" FROM pg_namespace WHERE "nspname" LIKE 'tenant\\_%' ORDER BY 1`);
    const ledger = await t.db.query(`SELECT "schema_name" FROM "shared"."schema_versions" ORDER BY 1`);
    return {
      rows: rows.map((r: { slug: string }) => r.slug),
      schemas: schemas.map((r: { nspname: string }) => r.nspname),
      ledger: ledger.map((r: { schema_name: string }) => r.schema_name),
    };
  }

  async function schemaTables(schema: string): Promise<string[]> {
    const rows = await t.db.query(`SELECT "table_name" FROM information_schema.tables WHERE "table_schema" = $1 ORDER BY 1`, [schema]);
    return rows.map((r: { table_name: string }) => r.table_name);
  }

  describe('POST /tenants', () => {
    it('creates the row, the schema at the latest migration and a key, and answers 201 { tenant, apiKey }', async () => {
      const slug = uniqueSlug('acme-');
      const res = await post({ name: '  Acme Corp  ', slug }).expect(201);
      expect(Object.keys(res.body).sort()).toEqual(['apiKey', 'tenant']);
      expect(Object.keys(res.body.tenant).sort()).toEqual(TENANT_KEYS);
      const schemaName = `tenant_${slug.replace(/-/g, '_')}`;
      expect(res.body.tenant).toEqual({
        id: expect.stringMatching(UUID),
        name: 'Acme Corp',
        slug,
        schemaName,
        isActive: true,
        rateLimit: null,
        createdAt: expect.stringMatching(ISO),
        updatedAt: expect.stringMatching(ISO),
        deletedAt: null,
        purgeAfter: null,
      });
      expect(res.body.apiKey).toMatch(KEY);

      const [row] = await t.db.query(`SELECT * FROM "shared"."tenants" WHERE "id" = $1`, [res.body.tenant.id]);
      expect(row).toMatchObject({ name: 'Acme Corp', slug, schema_name: schemaName, is_active: true });
      const [key] = await t.db.query(`SELECT "hash" AS "api_key_hash", "id" AS "api_key_id" FROM "shared"."api_keys" WHERE "tenant_id" = $1 AND "revoked_at" IS NULL`, [res.body.tenant.id]);
      expect(key.api_key_hash).toMatch(/^pbkdf2-sha256\$\d+\$/);
      expect(key.api_key_hash).not.toContain(res.body.apiKey);
      expect(res.body.apiKey).toContain(`_${key.api_key_id}_`);

      // The schema exists with its own migrations table, every tenant migration applied, and the ledger says so.
      expect((await snapshot()).schemas).toContain(schemaName);
      const tables = await schemaTables(schemaName);
      expect(tables).toContain('migrations');
      const applied = await t.db.query(`SELECT "name" FROM "${schemaName}"."migrations" ORDER BY "timestamp"`);
      expect(applied.map((r: { name: string }) => r.name)).toEqual(TENANT_STEPS.map((s) => s.name));
      const [ledger] = await t.db.query(`SELECT * FROM "shared"."schema_versions" WHERE "schema_name" = $1`, [schemaName]);
      expect(ledger).toMatchObject({ kind: 'tenant', state: 'ready', version: LATEST_TENANT_VERSION });
      if (TENANT_STEPS.length > 0) expect(tables.length).toBeGreaterThan(1);

      // The key works.
      await t.http().get('/tenant-info').set('X-API-Key', res.body.apiKey).expect(200);
    });

    it('answers 409 for a slug that is taken, leaving the first tenant alone', async () => {
      const slug = uniqueSlug('dup-');
      const first = await post({ name: 'First', slug }).expect(201);
      const before = await snapshot();
      const res = await post({ name: 'Second', slug }).expect(409);
      expect(res.body).toEqual({ statusCode: 409, error: 'Conflict', message: expect.stringContaining(slug), requestId: expect.any(String) });
      expect(await snapshot()).toEqual(before);
      await t.http().get('/tenant-info').set('X-API-Key', first.body.apiKey).expect(200);
    });

    const invalid: Array<[string, unknown, string]> = [
      ['a missing name', { slug: 'valid-slug' }, 'name'],
      ['an empty name', { name: '', slug: 'valid-slug' }, 'name'],
      ['a whitespace-only name', { name: '   \t ', slug: 'valid-slug' }, 'name'],
      ['a name over 200 characters', { name: 'n'.repeat(201), slug: 'valid-slug' }, 'name'],
      ['a name that is not a string', { name: 42, slug: 'valid-slug' }, 'name'],
      ['a name with a NUL character', { name: 'Acme\u0000Corp', slug: 'valid-slug' }, 'name'],
      ['a missing slug', { name: 'Acme' }, 'slug'],
      ['an upper-case slug', { name: 'Acme', slug: 'Acme' }, 'slug'],
      ['a slug with a leading digit', { name: 'Acme', slug: '1acme' }, 'slug'],
      ['a slug with a double hyphen', { name: 'Acme', slug: 'ac--me' }, 'slug'],
      ['a slug with a trailing hyphen', { name: 'Acme', slug: 'acme-' }, 'slug'],
      ['a slug with a leading hyphen', { name: 'Acme', slug: '-acme' }, 'slug'],
      ['a slug with an underscore', { name: 'Acme', slug: 'ac_me' }, 'slug'],
      ['a slug too short', { name: 'Acme', slug: 'ab' }, 'slug'],
      ['a slug too long', { name: 'Acme', slug: 'a'.repeat(49) }, 'slug'],
      ['a slug with SQL', { name: 'Acme', slug: `x"; DROP SCHEMA shared CASCADE; --` }, 'slug'],
      ['a slug with a quote', { name: 'Acme', slug: `acme'` }, 'slug'],
      ['a path-traversal slug', { name: 'Acme', slug: '../x' }, 'slug'],
      ['a unicode slug', { name: 'Acme', slug: 'caf\u00e9' }, 'slug'],
      ['a slug that is not a string', { name: 'Acme', slug: ['acme'] }, 'slug'],
    ];
    it.each(invalid)('answers 400 naming the field for %s, and creates nothing', async (_label, body, field) => {
      const before = await snapshot();
      const res = await post(body).expect(400);
      expect(Object.keys(res.body).sort()).toEqual(['error', 'message', 'requestId', 'statusCode']);
      expect(res.body.error).toBe('Bad Request');
      const messages: string[] = Array.isArray(res.body.message) ? res.body.message : [res.body.message];
      expect(messages.some((m) => m.startsWith(field))).toBe(true);
      expect(await snapshot()).toEqual(before);
    });

    it('counts the name in characters, not UTF-16 code units', async () => {
      const name = '\u{1F600}'.repeat(200);
      const res = await post({ name, slug: uniqueSlug('emoji-') }).expect(201);
      expect(res.body.tenant.name).toBe(name);
      await post({ name: '\u{1F600}'.repeat(201), slug: uniqueSlug('emoji-') }).expect(400);
    });

    it('lists every problem at once', async () => {
      const res = await post({ name: '', slug: 'BAD' }).expect(400);
      expect(res.body.message).toEqual(expect.arrayContaining([expect.stringMatching(/^name/), expect.stringMatching(/^slug/)]));
    });

    it.each([
      ['id', { id: MISSING_ID }],
      ['schemaName', { schemaName: 'shared' }],
      ['isActive', { isActive: false }],
      ['apiKeyHash', { apiKeyHash: 'pbkdf2-sha256$100000$x$y' }],
      ['createdAt', { createdAt: '2000-01-01T00:00:00.000Z' }],
    ])('answers 400 for the unknown field %s, and creates nothing', async (field, extra) => {
      const before = await snapshot();
      const res = await post({ name: 'Acme', slug: uniqueSlug('mass-'), ...extra }).expect(400);
      expect(res.body.message).toEqual(expect.arrayContaining([expect.stringContaining(field)]));
      expect(await snapshot()).toEqual(before);
    });

    it('answers 400 for a body that is not valid JSON, or not an object', async () => {
      const before = await snapshot();
      const bad = await as(t.http().post('/tenants')).set('Content-Type', 'application/json').send('{"name": "x", "slug":').expect(400);
      expect(bad.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.any(String), requestId: expect.any(String) });
      await as(t.http().post('/tenants')).set('Content-Type', 'application/json').send('[]').expect(400);
      await as(t.http().post('/tenants')).set('Content-Type', 'application/json').send('"acme"').expect(400);
      await as(t.http().post('/tenants')).expect(400);
      expect(await snapshot()).toEqual(before);
    });

    it('answers 413 for a body over 1 MiB', async () => {
      const before = await snapshot();
      const res = await post({ name: 'Acme', slug: uniqueSlug('big-'), padding: 'x'.repeat(1024 * 1024) }).expect(413);
      expect(res.body).toEqual({ statusCode: 413, error: 'Payload Too Large', message: expect.any(String), requestId: expect.any(String) });
      expect(await snapshot()).toEqual(before);
    });

    it('answers exactly one 201 and nineteen 409 for 20 concurrent creates of one slug', async () => {
      const slug = uniqueSlug('race-');
      const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => post({ name: `Racer ${i}`, slug })));
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses).toEqual([201, ...Array(19).fill(409)]);
      const schemaName = `tenant_${slug.replace(/-/g, '_')}`;
      const rows = await t.db.query(`SELECT "id" FROM "shared"."tenants" WHERE "slug" = $1`, [slug]);
      expect(rows).toHaveLength(1);
      expect(rows[0].id).toBe(responses.find((r) => r.status === 201)!.body.tenant.id);
      const schemas = await t.db.query(`SELECT 1 FROM pg_namespace WHERE "nspname" = $1`, [schemaName]);
      expect(schemas).toHaveLength(1);
      const ledger = await t.db.query(`SELECT "state" FROM "shared"."schema_versions" WHERE "schema_name" = $1`, [schemaName]);
      expect(ledger).toEqual([{ state: 'ready' }]);
    });
  });

  describe('provisioning is atomic', () => {
    it('answers 409 when the schema already exists, leaving no row and no ledger entry (and the schema untouched)', async () => {
      const slug = uniqueSlug('squat-');
      const schemaName = `tenant_${slug.replace(/-/g, '_')}`;
      await t.db.query(`CREATE SCHEMA "${schemaName}"`);
      await t.db.query(`CREATE TABLE "${schemaName}"."precious" ("id" int PRIMARY KEY)`);
      try {
        const res = await post({ name: 'Squatted', slug }).expect(409);
        expect(res.body.message).toEqual(expect.any(String));
        expect(await t.db.query(`SELECT 1 FROM "shared"."tenants" WHERE "slug" = $1`, [slug])).toHaveLength(0);
        expect(await t.db.query(`SELECT 1 FROM "shared"."schema_versions" WHERE "schema_name" = $1`, [schemaName])).toHaveLength(0);
        expect(await schemaTables(schemaName)).toEqual(['precious']);
      } finally {
        await t.db.query(`DROP SCHEMA "${schemaName}" CASCADE`);
      }
      // Once the obstacle is gone the slug is free: nothing was left behind.
      await post({ name: 'Squatted', slug }).expect(201);
    });

    it('leaves no row, schema, ledger entry or key when a tenant migration fails half-way', async () => {
      const slug = uniqueSlug('broken-');
      const schemaName = `tenant_${slug.replace(/-/g, '_')}`;
      const before = await snapshot();
      // A last migration that does real work in the new schema, then fails.
      TENANT_STEPS.push({
        name: 'Broken9999999999999',
        timestamp: 9_999_999_999_999,
        migration: {
          up: async (queryRunner) => {
            await queryRunner.query(`CREATE TABLE "${schemaName}"."half_done" ("id" int PRIMARY KEY)`);
            await queryRunner.query(`SELECT * FROM "${schemaName}"."no_such_table"`);
          },
          down: async () => undefined,
        },
      });
      const errorLog = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      try {
        const res = await post({ name: 'Broken', slug }).expect(500);
        expect(res.body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'Internal server error', requestId: expect.any(String) });
        expect(res.text).not.toMatch(/tenant_|no_such_table|SELECT|at /);
        expect(res.text).not.toMatch(/tnt_/);
        // The detail goes to the log only, under the request id.
        expect(errorLog).toHaveBeenCalledWith(expect.stringMatching(new RegExp(`${res.body.requestId}.*no_such_table`, 's')));
      } finally {
        TENANT_STEPS.pop();
        errorLog.mockRestore();
      }
      expect(await snapshot()).toEqual(before);
      // And the slug can be used now that the migrations are sound.
      const ok = await post({ name: 'Fixed', slug }).expect(201);
      expect(ok.body.tenant.schemaName).toBe(schemaName);
      expect(await schemaTables(schemaName)).not.toContain('half_done');
    });

    it('leaves nothing behind when provisioning fails after the schema was fully built', async () => {
      const provisioner = t.app.get(TenantProvisionerService);
      const original = provisioner.createSchema.bind(provisioner);
      const spy = jest.spyOn(provisioner, 'createSchema').mockImplementation(async (queryRunner, schemaName) => {
        const outcome = await original(queryRunner, schemaName);
        const [{ n }] = await queryRunner.query(`SELECT count(*)::int AS "n" FROM pg_namespace WHERE "nspname" = $1`, [schemaName]);
        expect(n).toBe(1); // built, inside the transaction
        throw new Error('the lights went out');
      });
      const before = await snapshot();
      const errorLog = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      try {
        await post({ name: 'Late failure', slug: uniqueSlug('late-') }).expect(500);
        expect(spy).toHaveBeenCalledTimes(1);
        expect(errorLog).toHaveBeenCalledWith(expect.stringContaining('the lights went out'));
      } finally {
        spy.mockRestore();
        errorLog.mockRestore();
      }
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('logs', () => {
    it('never carry a key, a key hash or a salt, whatever fails', async () => {
      const lines: string[] = [];
      const record = (...args: unknown[]) => {
        lines.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
      };
      const spies = [
        jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (record(String(chunk)), true)),
        jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (record(String(chunk)), true)),
        ...(['log', 'info', 'warn', 'error', 'debug'] as const).map((level) => jest.spyOn(console, level).mockImplementation(record)),
      ];
      t.app.useLogger(['fatal', 'error', 'warn', 'log', 'debug', 'verbose']);
      const provisioner = t.app.get(TenantProvisionerService);
      const keys: string[] = [];
      try {
        const slug = uniqueSlug('logs-');
        const created = await post({ name: 'Logged', slug }).expect(201);
        keys.push(created.body.apiKey);
        await post({ name: 'Logged again', slug }).expect(409); // a failed INSERT carrying a fresh hash
        const regenerated = await as(t.http().post(`/tenants/${created.body.tenant.id}/regenerate-api-key`)).expect(200);
        keys.push(regenerated.body.apiKey);
        await t.http().get('/tenant-info').set('X-API-Key', created.body.apiKey).expect(401);
        await t.http().get('/tenant-info').set('X-API-Key', regenerated.body.apiKey).expect(200);
        await t.http().get('/tenants').set('X-Admin-Key', `${TEST_ADMIN_KEY}-wrong`).expect(401);
        const spy = jest.spyOn(provisioner, 'createSchema').mockRejectedValueOnce(new Error('provisioning exploded'));
        await post({ name: 'Exploding', slug: uniqueSlug('boom-') }).expect(500);
        spy.mockRestore();
      } finally {
        t.app.useLogger(['error']);
        spies.forEach((spy) => spy.mockRestore());
      }
      const text = lines.join('\n');
      // The logging was captured (the 500 is logged with its cause), so the checks below can fail.
      expect(text).toContain('provisioning exploded');
      const rows = await t.db.query(`SELECT "hash" AS "api_key_hash" FROM "shared"."api_keys"`);
      expect(text).not.toMatch(/pbkdf2|tnt_[0-9A-Za-z]{12}_/);
      expect(text).not.toContain(TEST_ADMIN_KEY);
      for (const key of keys) expect(text).not.toContain(key);
      for (const { api_key_hash } of rows) {
        const [, , salt, hash] = api_key_hash.split('$');
        expect(text).not.toContain(salt);
        expect(text).not.toContain(hash);
      }
    });
  });

  describe('GET /tenants', () => {
    let all: Array<{ id: string; createdAt: string }>;

    beforeAll(async () => {
      const service = t.app.get(TenantsService);
      for (let i = 0; i < 5; i++) await service.create(`Listed ${i}`, uniqueSlug('list-'));
      all = (await t.db.query(`SELECT "id", "created_at" FROM "shared"."tenants" ORDER BY "created_at" DESC, "id" DESC`)).map(
        (r: { id: string; created_at: Date }) => ({ id: r.id, createdAt: r.created_at.toISOString() }),
      );
      expect(all.length).toBeGreaterThanOrEqual(5);
    });

    it('lists tenants newest first with the default limit, as { items, nextCursor }', async () => {
      const res = await as(t.http().get('/tenants')).expect(200);
      expect(Object.keys(res.body).sort()).toEqual(['items', 'nextCursor']);
      expect(res.body.items.map((i: { id: string }) => i.id)).toEqual(all.slice(0, 50).map((r) => r.id));
      for (const item of res.body.items) expect(Object.keys(item).sort()).toEqual(TENANT_KEYS);
      expect(res.body.nextCursor).toBe(all.length > 50 ? expect.any(String) : null);
    });

    it('walks every tenant exactly once with limit and cursor', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = cursor ? `/tenants?limit=2&cursor=${encodeURIComponent(cursor)}` : '/tenants?limit=2';
        const res = await as(t.http().get(query)).expect(200);
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.items.map((i: { id: string }) => i.id));
        cursor = res.body.nextCursor;
        pages += 1;
      } while (cursor && pages < 100);
      expect(seen).toEqual(all.map((r) => r.id));
      expect(pages).toBe(Math.ceil(all.length / 2));
    });

    it('is stable under concurrent inserts: a page after the cursor never repeats or gains a newer tenant', async () => {
      const first = await as(t.http().get('/tenants?limit=2')).expect(200);
      const added = await t.app.get(TenantsService).create('Newcomer', uniqueSlug('new-'));
      const second = await as(t.http().get(`/tenants?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`)).expect(200);
      const ids = second.body.items.map((i: { id: string }) => i.id);
      expect(ids).toEqual(all.slice(2, 4).map((r) => r.id));
      expect(ids).not.toContain(added.tenant.id);
      const fresh = await as(t.http().get('/tenants?limit=1')).expect(200);
      expect(fresh.body.items[0].id).toBe(added.tenant.id);
      all.unshift({ id: added.tenant.id, createdAt: added.tenant.createdAt.toISOString() });
    });

    it('filters by isActive', async () => {
      const sleeper = await t.createTenant();
      await as(t.http().put(`/tenants/${sleeper.tenant.id}`)).send({ isActive: false }).expect(200);
      const inactive = await as(t.http().get('/tenants?isActive=false&limit=100')).expect(200);
      expect(inactive.body.items.map((i: { id: string }) => i.id)).toEqual([sleeper.tenant.id]);
      const active = await as(t.http().get('/tenants?isActive=true&limit=100')).expect(200);
      expect(active.body.items.length).toBeGreaterThan(0);
      expect(active.body.items.every((i: { isActive: boolean }) => i.isActive)).toBe(true);
      expect(active.body.items.map((i: { id: string }) => i.id)).not.toContain(sleeper.tenant.id);
    });

    const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    it.each([
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=-1', 'limit'],
      ['limit=1.5', 'limit'],
      ['limit=abc', 'limit'],
      ['limit=', 'limit'],
      ['isActive=maybe', 'isActive'],
      ['cursor=garbage', 'cursor'],
      ['cursor=' + cursorOf([1, 2]), 'cursor'],
      ['cursor=' + cursorOf(['2025-01-01T00:00:00.000Z']), 'cursor'],
      ['cursor=' + cursorOf(['2025-01-01T00:00:00.000Z', 'not-a-uuid']), 'cursor'],
      ['cursor=' + cursorOf(['1', MISSING_ID]), 'cursor'],
      ['cursor=' + cursorOf(['yesterday', MISSING_ID]), 'cursor'],
      ['cursor=' + 'a'.repeat(600), 'cursor'],
      ['unknown=1', 'unknown'],
    ])('answers 400 for ?%s', async (query, field) => {
      const res = await as(t.http().get(`/tenants?${query}`)).expect(400);
      const messages: string[] = Array.isArray(res.body.message) ? res.body.message : [res.body.message];
      expect(messages.some((m) => m.includes(field))).toBe(true);
    });
  });

  describe('GET /tenants/{id}', () => {
    it('answers 200 with the tenant', async () => {
      const { tenant } = await t.createTenant();
      const res = await as(t.http().get(`/tenants/${tenant.id}`)).expect(200);
      expect(res.body).toEqual({
        id: tenant.id,
        name: tenant.name,
        slug: tenant.slug,
        schemaName: tenant.schemaName,
        isActive: true,
        rateLimit: null,
        createdAt: tenant.createdAt.toISOString(),
        updatedAt: tenant.updatedAt.toISOString(),
        deletedAt: null,
        purgeAfter: null,
      });
    });

    it('answers 404 for an id that does not exist', async () => {
      const res = await as(t.http().get(`/tenants/${MISSING_ID}`)).expect(404);
      expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'Tenant not found', requestId: expect.any(String) });
    });

    it.each(['not-a-uuid', '123', 'acme', "1' OR '1'='1", `${MISSING_ID}x`])('answers 400 for the malformed id %s', async (id) => {
      const res = await as(t.http().get(`/tenants/${encodeURIComponent(id)}`)).expect(400);
      expect(res.body.message).toMatch(/id/);
    });

    it('does not look tenants up by slug on the id route', async () => {
      const { tenant } = await t.createTenant();
      await as(t.http().get(`/tenants/${tenant.slug}`)).expect(400);
    });
  });

  describe('PUT /tenants/{id}', () => {
    let untouchable: Tenant;
    beforeAll(async () => {
      ({ tenant: untouchable } = await t.createTenant());
    });

    it('renames (trimmed) and keeps everything else, bumping updatedAt', async () => {
      const { tenant, apiKey } = await t.createTenant();
      const res = await as(t.http().put(`/tenants/${tenant.id}`)).send({ name: '  New name ' }).expect(200);
      expect(Object.keys(res.body).sort()).toEqual(TENANT_KEYS);
      expect(res.body).toMatchObject({
        id: tenant.id,
        name: 'New name',
        slug: tenant.slug,
        schemaName: tenant.schemaName,
        isActive: true,
        createdAt: tenant.createdAt.toISOString(),
      });
      expect(Date.parse(res.body.updatedAt)).toBeGreaterThanOrEqual(tenant.updatedAt.getTime());
      const [row] = await t.db.query(`SELECT "name", "slug" FROM "shared"."tenants" WHERE "id" = $1`, [tenant.id]);
      expect(row).toEqual({ name: 'New name', slug: tenant.slug });
      const info = await t.http().get('/tenant-info').set('X-API-Key', apiKey).expect(200);
      expect(info.body.name).toBe('New name');
    });

    it('deactivates and reactivates', async () => {
      const { tenant } = await t.createTenant();
      const off = await as(t.http().put(`/tenants/${tenant.id}`)).send({ isActive: false }).expect(200);
      expect(off.body.isActive).toBe(false);
      expect((await as(t.http().get(`/tenants/${tenant.id}`)).expect(200)).body.isActive).toBe(false);
      const on = await as(t.http().put(`/tenants/${tenant.id}`)).send({ isActive: true }).expect(200);
      expect(on.body.isActive).toBe(true);
      const [row] = await t.db.query(`SELECT "is_active" FROM "shared"."tenants" WHERE "id" = $1`, [tenant.id]);
      expect(row.is_active).toBe(true);
    });

    it.each([
      ['the slug', { slug: 'other-slug' }, 'slug'],
      ['the schema name', { schemaName: 'shared' }, 'schemaName'],
      ['the id', { id: MISSING_ID }, 'id'],
      ['the key hash', { apiKeyHash: 'x' }, 'apiKeyHash'],
      ['an empty name', { name: '' }, 'name'],
      ['a whitespace-only name', { name: '   ' }, 'name'],
      ['a name over 200 characters', { name: 'n'.repeat(201) }, 'name'],
      ['a non-boolean isActive', { isActive: 'false' }, 'isActive'],
      ['a null isActive', { isActive: null }, 'isActive'],
      ['a null name', { name: null }, 'name'],
      ['a name with a NUL character', { name: 'a\u0000b' }, 'name'],
    ])('answers 400 when changing %s, and changes nothing', async (_label, body, field) => {
      const tenant = untouchable;
      const [before] = await t.db.query(`SELECT * FROM "shared"."tenants" WHERE "id" = $1`, [tenant.id]);
      const res = await as(t.http().put(`/tenants/${tenant.id}`)).send(body).expect(400);
      const messages: string[] = Array.isArray(res.body.message) ? res.body.message : [res.body.message];
      expect(messages.some((m) => m.includes(field))).toBe(true);
      const [after] = await t.db.query(`SELECT * FROM "shared"."tenants" WHERE "id" = $1`, [tenant.id]);
      expect(after).toEqual(before);
    });

    it('answers 404 for an unknown id and 400 for a malformed one', async () => {
      await as(t.http().put(`/tenants/${MISSING_ID}`)).send({ name: 'x' }).expect(404);
      await as(t.http().put('/tenants/nope')).send({ name: 'x' }).expect(400);
    });
  });

  describe('POST /tenants/{id}/regenerate-api-key', () => {
    it('answers 200 with a new key that works while the old one is refused', async () => {
      const { tenant, apiKey: oldKey } = await t.createTenant();
      await t.http().get('/tenant-info').set('X-API-Key', oldKey).expect(200);
      const [before] = await t.db.query(`SELECT "hash" AS "api_key_hash", "id" AS "api_key_id" FROM "shared"."api_keys" WHERE "tenant_id" = $1 AND "revoked_at" IS NULL`, [tenant.id]);

      const res = await as(t.http().post(`/tenants/${tenant.id}/regenerate-api-key`)).expect(200);
      expect(Object.keys(res.body).sort()).toEqual(['apiKey', 'tenant']);
      expect(Object.keys(res.body.tenant).sort()).toEqual(TENANT_KEYS);
      expect(res.body.tenant).toMatchObject({ id: tenant.id, slug: tenant.slug, schemaName: tenant.schemaName, isActive: true });
      expect(res.body.apiKey).toMatch(KEY);
      expect(res.body.apiKey).not.toBe(oldKey);

      const [after] = await t.db.query(`SELECT "hash" AS "api_key_hash", "id" AS "api_key_id" FROM "shared"."api_keys" WHERE "tenant_id" = $1 AND "revoked_at" IS NULL`, [tenant.id]);
      expect(after.api_key_hash).not.toBe(before.api_key_hash);
      expect(after.api_key_id).not.toBe(before.api_key_id);

      const old = await t.http().get('/tenant-info').set('X-API-Key', oldKey).expect(401);
      expect(old.body.message).toBe('Invalid API key');
      const fresh = await t.http().get('/tenant-info').set('X-API-Key', res.body.apiKey).expect(200);
      expect(fresh.body.id).toBe(tenant.id);
    });

    it('answers 404 for an unknown id and 400 for a malformed one', async () => {
      await as(t.http().post(`/tenants/${MISSING_ID}/regenerate-api-key`)).expect(404);
      await as(t.http().post('/tenants/nope/regenerate-api-key')).expect(400);
    });
  });

  describe('the admin key', () => {
    const routes = (id: string): Array<[string, () => request.Test]> => [
      ['GET /tenants', () => t.http().get('/tenants')],
      ['POST /tenants', () => t.http().post('/tenants').send({ name: 'Intruder', slug: 'intruder' })],
      ['GET /tenants/{id}', () => t.http().get(`/tenants/${id}`)],
      ['PUT /tenants/{id}', () => t.http().put(`/tenants/${id}`).send({ isActive: false })],
      ['POST /tenants/{id}/regenerate-api-key', () => t.http().post(`/tenants/${id}/regenerate-api-key`)],
    ];

    it('is required on every operator route: missing or wrong gets 401 and changes nothing', async () => {
      const { tenant, apiKey } = await t.createTenant();
      const before = await snapshot();
      const [rowBefore] = await t.db.query(`SELECT * FROM "shared"."tenants" WHERE "id" = $1`, [tenant.id]);
      for (const [label, send] of routes(tenant.id)) {
        for (const key of [undefined, '', 'wrong', `${TEST_ADMIN_KEY}x`, TEST_ADMIN_KEY.slice(0, -1), TEST_ADMIN_KEY.toUpperCase()]) {
          const req = send();
          if (key !== undefined) req.set('X-Admin-Key', key);
          const res = await req;
          expect({ label, key, status: res.status }).toEqual({ label, key, status: 401 });
          expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.any(String), requestId: expect.any(String) });
        }
      }
      // The admin key does not work in the query string either.
      await t.http().get(`/tenants?adminKey=${TEST_ADMIN_KEY}`).expect(401);
      expect(await snapshot()).toEqual(before);
      const [rowAfter] = await t.db.query(`SELECT * FROM "shared"."tenants" WHERE "id" = $1`, [tenant.id]);
      expect(rowAfter).toEqual(rowBefore);
      await t.http().get('/tenant-info').set('X-API-Key', apiKey).expect(200);
    });

    it('turns the admin API off (404 on every route, whatever the key) when ADMIN_API_KEY is unset', async () => {
      const { app } = await buildApp(t.databaseUrl, { ADMIN_API_KEY: '' });
      try {
        const { tenant } = await t.createTenant();
        const before = await snapshot();
        const server = app.getHttpServer();
        const sends: Array<() => request.Test> = [
          () => request(server).get('/tenants'),
          () => request(server).post('/tenants').send({ name: 'Intruder', slug: 'intruder' }),
          () => request(server).get(`/tenants/${tenant.id}`),
          () => request(server).put(`/tenants/${tenant.id}`).send({ isActive: false }),
          () => request(server).post(`/tenants/${tenant.id}/regenerate-api-key`),
        ];
        for (const send of sends) {
          for (const key of [undefined, TEST_ADMIN_KEY, '']) {
            const req = send();
            if (key !== undefined) req.set('X-Admin-Key', key);
            const res = await req.expect(404);
            expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: expect.any(String), requestId: expect.any(String) });
          }
        }
        expect(await snapshot()).toEqual(before);
        // Tenant routes still work on that instance.
        await request(server).get('/health').expect(200);
      } finally {
        await closeApp(app);
      }
    });
  });
});
