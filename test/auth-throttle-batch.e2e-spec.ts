import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { parseApiKey } from '../src/tenancy/auth/api-key';
import * as hasher from '../src/tenancy/auth/api-key-hasher';
import { buildApp, closeApp, createTestApp, TestApp } from './utils/test-app';
import { forgedKeyFor } from './utils/forged-key';

const LIMIT = 5;
// A long flush interval, so that concurrent failures share statements (several of one client in one statement).
const SETTINGS = { AUTH_FAILURE_LIMIT: String(LIMIT), AUTH_FAILURE_WINDOW_SECONDS: '600', AUTH_FAILURE_FLUSH_MS: '200', TRUST_PROXY: 'loopback' };

/**
 * Failures are written to the shared counters in batches; each attempt is answered once its batch is written,
 * so two instances still stop a client after AUTH_FAILURE_LIMIT failures in all, however the attempts interleave.
 */
describe('batched failure counters shared by two instances', () => {
  let t: TestApp;
  let a: NestExpressApplication;
  let b: NestExpressApplication;

  beforeAll(async () => {
    t = await createTestApp();
    ({ app: a } = await buildApp(t.databaseUrl, SETTINGS));
    ({ app: b } = await buildApp(t.databaseUrl, SETTINGS));
  });
  afterAll(async () => {
    if (a) await closeApp(a);
    if (b) await closeApp(b);
    await t?.close();
  });
  afterEach(() => jest.restoreAllMocks());

  const get = (app: NestExpressApplication, key: string, from: string) =>
    request(app.getHttpServer()).get('/tenant-info').set('X-Forwarded-For', from).set('X-API-Key', key);
  const countOf = async (subject: string): Promise<number | undefined> => {
    const rows: Array<{ failures: number }> = await t.db.query(`SELECT "failures" FROM "shared"."auth_failures" WHERE "subject" = $1`, [subject]);
    return rows[0]?.failures;
  };

  it('answers a concurrent burst of forged keys from one client, across both instances, with exactly AUTH_FAILURE_LIMIT 401s', async () => {
    const victim = await t.createTenant();
    const keyId = parseApiKey(victim.apiKey)!.keyId;
    // Each instance reads the key row once (a forged key from elsewhere): from then on it refuses forged secrets by the held row's tag.
    await get(a, forgedKeyFor(victim.apiKey), '198.19.0.1').expect(401);
    await get(b, forgedKeyFor(victim.apiKey), '198.19.0.2').expect(401);
    const pbkdf2 = jest.spyOn(hasher, 'verifyApiKey');

    const client = '198.19.1.1';
    const burst = await Promise.all(Array.from({ length: 3 * LIMIT }, (_, i) => get(i % 2 ? a : b, forgedKeyFor(victim.apiKey), client)));
    const statuses = burst.map((response) => response.status).sort();
    expect(statuses).toEqual([...Array(LIMIT).fill(401), ...Array(2 * LIMIT).fill(429)]);
    for (const response of burst.filter((r) => r.status === 429)) {
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      expect(response.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    }
    expect(pbkdf2).not.toHaveBeenCalled();
    // Every attempt is in the shared count by the time it was answered.
    expect(await countOf(`ip:${client}`)).toBe(3 * LIMIT);
    expect(await countOf(`key:${keyId}`)).toBe(2 + 3 * LIMIT);

    // The client stays refused on both instances, even the true key it has never presented; everyone else is served.
    await get(a, victim.apiKey, client).expect(429);
    await get(b, forgedKeyFor(victim.apiKey), client).expect(429);
    await get(a, victim.apiKey, '198.19.2.1').expect(200);
    await get(b, victim.apiKey, '198.19.2.2').expect(200);
  });

  it('records key.throttled once when a burst from many addresses takes the key id past the limit', async () => {
    const victim = await t.createTenant();
    await Promise.all(Array.from({ length: 3 * LIMIT }, (_, i) => get(i % 2 ? a : b, forgedKeyFor(victim.apiKey), `198.19.3.${i + 1}`).expect(401)));
    // Written after the answer (it is an audit row, not part of the refusal).
    let rows: Array<{ key_id: string }> = [];
    for (let tries = 0; tries < 50; tries++) {
      rows = await t.db.query(`SELECT "key_id" FROM "shared"."audit_events" WHERE "tenant_id" = $1 AND "action" = 'key.throttled'`, [victim.tenant.id]);
      if (rows.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(rows).toEqual([{ key_id: parseApiKey(victim.apiKey)!.keyId }]);
  });
});
