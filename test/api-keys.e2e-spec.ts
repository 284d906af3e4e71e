import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { parseApiKey } from '../src/tenancy/auth/api-key';
import { LastUsedRecorder } from '../src/tenancy/auth/last-used-recorder';
import { buildApp, closeApp, createTestApp, TEST_ADMIN_KEY, TestApp } from './utils/test-app';
import { tenantChangeHeard } from './utils/tenant-change-heard';

const API_KEY_FIELDS = ['createdAt', 'expiresAt', 'graceUntil', 'id', 'lastUsedAt', 'name', 'prefix', 'revokedAt', 'scopes'];
const KEY = /^tnt_[0-9A-Za-z]{12}_[0-9A-Za-z]{49}$/;

describe('API keys: several per tenant, scoped, rotated with a grace period', () => {
  let t: TestApp;
  let second: NestExpressApplication;

  beforeAll(async () => {
    t = await createTestApp();
    ({ app: second } = await buildApp(t.databaseUrl));
  });
  afterAll(async () => {
    if (second) await closeApp(second);
    await t?.close();
  });

  const admin = (req: request.Test) => req.set('X-Admin-Key', TEST_ADMIN_KEY);
  const keysOf = (tenantId: string) => `/tenants/${tenantId}/keys`;
  const info = (key: string, app?: NestExpressApplication) =>
    (app ? request(app.getHttpServer()) : t.http()).get('/tenant-info').set('X-API-Key', key);
  /** Polls `key` on `app` until it is refused or `ms` have passed; answers the last status. */
  const statusAfter = async (key: string, app: NestExpressApplication | undefined, ms: number) => {
    const started = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - started < ms) {
      status = (await info(key, app)).status;
      if (status === 200) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return status;
  };

  describe('POST /tenants/{id}/keys', () => {
    it('creates a key with every scope by default; it works at once and /tenant-info names it', async () => {
      const { tenant } = await t.createTenant();
      const res = await admin(t.http().post(keysOf(tenant.id))).send({ name: '  ci  ' }).expect(201);
      expect(Object.keys(res.body).sort()).toEqual(['apiKey', 'key']);
      expect(Object.keys(res.body.key).sort()).toEqual(API_KEY_FIELDS);
      expect(res.body.apiKey).toMatch(KEY);
      const keyId = parseApiKey(res.body.apiKey)!.keyId;
      expect(res.body.key).toEqual({
        id: keyId,
        name: 'ci',
        prefix: `tnt_${keyId}`,
        scopes: ['read', 'write', 'worker'],
        createdAt: expect.any(String),
        expiresAt: null,
        lastUsedAt: null,
        graceUntil: null,
        revokedAt: null,
      });
      const me = await info(res.body.apiKey).expect(200);
      expect(me.body.key).toEqual({ id: keyId, name: 'ci', scopes: ['read', 'write', 'worker'], expiresAt: null });
      const [row] = await t.db.query(`SELECT "hash", "check_tag" FROM "shared"."api_keys" WHERE "id" = $1`, [keyId]);
      expect(row.hash).toMatch(/^pbkdf2-sha256\$/);
      expect(res.text).not.toContain(row.hash.split('$')[3]);
      expect(res.text).not.toContain(row.check_tag);
    });

    it('takes scopes and an expiry; the key stops working at expiresAt, on every instance', async () => {
      const { tenant } = await t.createTenant();
      const expiresAt = new Date(Date.now() + 1_500).toISOString();
      const res = await admin(t.http().post(keysOf(tenant.id))).send({ name: 'short', scopes: ['read'], expiresAt }).expect(201);
      expect(res.body.key).toMatchObject({ scopes: ['read'], expiresAt });
      await info(res.body.apiKey).expect(200);
      await info(res.body.apiKey, second).expect(200);
      expect((await info(res.body.apiKey)).body.key.expiresAt).toBe(expiresAt);
      expect(await statusAfter(res.body.apiKey, second, 5_000)).toBe(401);
      expect((await info(res.body.apiKey)).body.message).toBe('Invalid API key');
    });

    it('refuses a name a live key has (409), and accepts it again once that key is revoked', async () => {
      const { tenant } = await t.createTenant();
      const first = await admin(t.http().post(keysOf(tenant.id))).send({ name: 'deploy' }).expect(201);
      const dup = await admin(t.http().post(keysOf(tenant.id))).send({ name: 'deploy' }).expect(409);
      expect(dup.body.message).toBe('A live API key named "deploy" already exists');
      await admin(t.http().delete(`${keysOf(tenant.id)}/${first.body.key.id}`)).expect(204);
      await admin(t.http().post(keysOf(tenant.id))).send({ name: 'deploy' }).expect(201);
    });

    it.each([
      ['no name', {}, /name/],
      ['an empty name', { name: '   ' }, /name/],
      ['a name over 100 characters', { name: 'x'.repeat(101) }, /name/],
      ['an unknown scope', { name: 'a', scopes: ['admin'] }, /scopes/],
      ['no scope', { name: 'a', scopes: [] }, /scopes/],
      ['a repeated scope', { name: 'a', scopes: ['read', 'read'] }, /scopes/],
      ['expiresAt in the past', { name: 'a', expiresAt: '2020-01-01T00:00:00Z' }, /expiresAt must be in the future/],
      ['expiresAt that is not a date', { name: 'a', expiresAt: 'tomorrow' }, /expiresAt/],
      ['an unknown field', { name: 'a', hash: 'x' }, /hash should not exist/],
    ])('answers 400 for %s', async (_label, body, message) => {
      const { tenant } = await t.createTenant();
      const res = await admin(t.http().post(keysOf(tenant.id))).send(body).expect(400);
      expect(JSON.stringify(res.body.message)).toMatch(message);
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS "n" FROM "shared"."api_keys" WHERE "tenant_id" = $1`, [tenant.id]);
      expect(n).toBe(1);
    });

    it('answers 404 for an unknown tenant, 400 for a malformed id, 401 without the admin key', async () => {
      await admin(t.http().post(keysOf('00000000-0000-4000-8000-000000000000'))).send({ name: 'x' }).expect(404);
      await admin(t.http().post(keysOf('nope'))).send({ name: 'x' }).expect(400);
      const { tenant, apiKey } = await t.createTenant();
      await t.http().post(keysOf(tenant.id)).set('X-API-Key', apiKey).send({ name: 'x' }).expect(401);
    });
  });

  describe('GET /tenants/{id}/keys', () => {
    it('lists live keys newest first with keyset pagination, revoked ones only on request', async () => {
      const { tenant } = await t.createTenant();
      const a = await admin(t.http().post(keysOf(tenant.id))).send({ name: 'a' }).expect(201);
      const b = await admin(t.http().post(keysOf(tenant.id))).send({ name: 'b' }).expect(201);
      await admin(t.http().delete(`${keysOf(tenant.id)}/${a.body.key.id}`)).expect(204);

      const live = await admin(t.http().get(keysOf(tenant.id))).expect(200);
      expect(live.body.items.map((k: { name: string }) => k.name)).toEqual(['b', 'default']);
      expect(live.text).not.toMatch(/pbkdf2|hash|check_?tag/i);

      const first = await admin(t.http().get(`${keysOf(tenant.id)}?includeRevoked=true&limit=2`)).expect(200);
      expect(first.body.items.map((k: { id: string }) => k.id)).toEqual([b.body.key.id, a.body.key.id]);
      expect(first.body.items[1].revokedAt).toEqual(expect.any(String));
      const next = await admin(t.http().get(`${keysOf(tenant.id)}?includeRevoked=true&limit=2&cursor=${first.body.nextCursor}`)).expect(200);
      expect(next.body).toEqual({ items: [expect.objectContaining({ name: 'default' })], nextCursor: null });

      await admin(t.http().get(`${keysOf(tenant.id)}?cursor=garbage`)).expect(400);
      await admin(t.http().get(`${keysOf(tenant.id)}?limit=0`)).expect(400);
      await admin(t.http().get(`${keysOf(tenant.id)}?includeRevoked=yes`)).expect(400);
    });

    it('shows lastUsedAt, written in one batch per instance rather than once per request', async () => {
      const { tenant, apiKey } = await t.createTenant();
      for (let i = 0; i < 5; i++) await info(apiKey).expect(200);
      const before = await admin(t.http().get(keysOf(tenant.id))).expect(200);
      expect(before.body.items[0].lastUsedAt).toBeNull(); // no write per request
      const usedBy = Date.now();
      await t.app.get(LastUsedRecorder).flush();
      const after = await admin(t.http().get(keysOf(tenant.id))).expect(200);
      expect(Date.parse(after.body.items[0].lastUsedAt)).toBeLessThanOrEqual(usedBy);
      expect(Date.parse(after.body.items[0].lastUsedAt)).toBeGreaterThan(Date.parse(after.body.items[0].createdAt));
    });
  });

  describe('DELETE /tenants/{id}/keys/{keyId}', () => {
    it('revokes: 204, refused at once here, and on a second instance from when it hears of it; other keys keep working', async () => {
      const { tenant, apiKey: other } = await t.createTenant();
      const doomed = await admin(t.http().post(keysOf(tenant.id))).send({ name: 'doomed' }).expect(201);
      await info(doomed.body.apiKey).expect(200);
      await info(doomed.body.apiKey, second).expect(200); // cached there for 60 s
      const heard = tenantChangeHeard(second, tenant.id, 'key-revoked');
      await admin(t.http().delete(`${keysOf(tenant.id)}/${doomed.body.key.id}`)).expect(204);
      expect((await info(doomed.body.apiKey).expect(401)).body.message).toBe('Invalid API key');
      await heard;
      expect((await info(doomed.body.apiKey, second).expect(401)).body.message).toBe('Invalid API key');
      await info(other).expect(200);
      await info(other, second).expect(200);
      // Again: a no-op 204. Unknown or another tenant's key: 404.
      await admin(t.http().delete(`${keysOf(tenant.id)}/${doomed.body.key.id}`)).expect(204);
      await admin(t.http().delete(`${keysOf(tenant.id)}/AAAAAAAAAAAA`)).expect(404);
      const stranger = await t.createTenant();
      const res = await admin(t.http().delete(`${keysOf(stranger.tenant.id)}/${parseApiKey(other)!.keyId}`)).expect(404);
      expect(res.body.message).toBe('API key not found');
      await info(other).expect(200);
    });
  });

  describe('POST /tenants/{id}/keys/{keyId}/rotate', () => {
    it('issues a new key with the same name and scopes; the old one works until graceUntil, then is refused everywhere', async () => {
      const { tenant } = await t.createTenant();
      const old = await admin(t.http().post(keysOf(tenant.id))).send({ name: 'worker-fleet', scopes: ['worker'] }).expect(201);
      await info(old.body.apiKey, second).expect(200);
      const res = await admin(t.http().post(`${keysOf(tenant.id)}/${old.body.key.id}/rotate`)).send({ graceSeconds: 2 }).expect(200);
      expect(res.body.key).toMatchObject({ name: 'worker-fleet', scopes: ['worker'], graceUntil: null, revokedAt: null });
      expect(res.body.apiKey).toMatch(KEY);
      expect(res.body.key.id).not.toBe(old.body.key.id);

      const list = await admin(t.http().get(keysOf(tenant.id))).expect(200);
      const rotatedOut = list.body.items.find((k: { id: string }) => k.id === old.body.key.id);
      expect(Date.parse(rotatedOut.graceUntil) - Date.parse(rotatedOut.revokedAt)).toBe(2_000);
      // Both work during the grace period, on both instances.
      for (const app of [undefined, second]) {
        await info(old.body.apiKey, app).expect(200);
        await info(res.body.apiKey, app).expect(200);
      }
      // Past it, the old key is refused on both: the cache keeps a key no longer than its row says it is valid
      // (the 60 s cache TTL would let it through far beyond this wait).
      expect(await statusAfter(old.body.apiKey, second, 4_000)).toBe(401);
      await info(old.body.apiKey).expect(401);
      await info(res.body.apiKey, second).expect(200);
      // A rotated-out key cannot be rotated again.
      const again = await admin(t.http().post(`${keysOf(tenant.id)}/${old.body.key.id}/rotate`)).send({}).expect(409);
      expect(again.body.message).toBe('API key is revoked or rotated out');
    });

    it('without graceSeconds refuses the old key at once', async () => {
      const { tenant, apiKey } = await t.createTenant();
      await info(apiKey).expect(200);
      const res = await admin(t.http().post(`${keysOf(tenant.id)}/${parseApiKey(apiKey)!.keyId}/rotate`)).expect(200);
      await info(apiKey).expect(401);
      await info(res.body.apiKey).expect(200);
    });

    it.each([[-1], [604_801], [1.5], ['10']])('answers 400 for graceSeconds %p', async (graceSeconds) => {
      const { tenant, apiKey } = await t.createTenant();
      const res = await admin(t.http().post(`${keysOf(tenant.id)}/${parseApiKey(apiKey)!.keyId}/rotate`)).send({ graceSeconds }).expect(400);
      expect(JSON.stringify(res.body.message)).toMatch(/graceSeconds/);
      await info(apiKey).expect(200);
    });
  });

  it('regenerate-api-key revokes every key of the tenant and returns one with every scope', async () => {
    const { tenant, apiKey } = await t.createTenant();
    const extra = await admin(t.http().post(keysOf(tenant.id))).send({ name: 'extra', scopes: ['read'] }).expect(201);
    const rotated = await admin(t.http().post(`${keysOf(tenant.id)}/${extra.body.key.id}/rotate`)).send({ graceSeconds: 3600 }).expect(200);
    for (const key of [apiKey, extra.body.apiKey, rotated.body.apiKey]) await info(key, second).expect(200);
    const res = await admin(t.http().post(`/tenants/${tenant.id}/regenerate-api-key`)).expect(200);
    for (const key of [apiKey, extra.body.apiKey, rotated.body.apiKey]) {
      await info(key).expect(401);
      expect(await statusAfter(key, second, 5_000)).toBe(401);
    }
    const me = await info(res.body.apiKey).expect(200);
    expect(me.body.key.scopes).toEqual(['read', 'write', 'worker']);
    const live = await admin(t.http().get(keysOf(tenant.id))).expect(200);
    expect(live.body.items.map((k: { id: string }) => k.id)).toEqual([me.body.key.id]);
  });
});
