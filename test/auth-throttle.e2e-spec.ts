import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { generateApiKey, parseApiKey } from '../src/tenancy/auth/api-key';
import * as hasher from '../src/tenancy/auth/api-key-hasher';
import { TenantsService } from '../src/tenancy/registry/tenants.service';
import { TenantDeletionService } from '../src/tenancy/registry/tenant-deletion.service';
import { buildApp, closeApp, createTestApp, TEST_ADMIN_KEY, TestApp } from './utils/test-app';
import { forgedKeyFor } from './utils/forged-key';

let addressCounter = 0;
/** A fresh client address (the instances trust the loopback proxy, so X-Forwarded-For names the client). */
const newAddress = () => {
  addressCounter += 1;
  return `198.18.${Math.floor(addressCounter / 250)}.${(addressCounter % 250) + 1}`;
};

const LIMIT = 5;
const SETTINGS = { AUTH_FAILURE_LIMIT: String(LIMIT), AUTH_FAILURE_WINDOW_SECONDS: '600', TRUST_PROXY: 'loopback' };

/**
 * The attacks on the authentication throttle, as an attacker would try them, against two app instances
 * sharing one database (plus a third started afterwards, as after a deploy).
 */
describe('authentication throttle shared by every instance', () => {
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

  /** Waits until both instances have taken a change notification in (they refuse `key` from a bystander's address). */
  const untilRefusedEverywhere = async (key: string) => {
    for (const app of [a, b]) {
      const bystander = newAddress();
      for (let tries = 0; (await get(app, key, bystander)).status === 200 && tries < 100; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };

  it('cannot lock a tenant out: floods on its key id from many addresses leave the true key working on every instance, even a new one', async () => {
    const victim = await t.createTenant();
    const pbkdf2 = jest.spyOn(hasher, 'verifyApiKey');
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      statuses.push((await get(i % 2 ? a : b, forgedKeyFor(victim.apiKey), newAddress())).status);
    }
    expect(statuses).toEqual(Array(40).fill(401));
    // No PBKDF2 was spent on any of those failures: the check tag refused them.
    expect(pbkdf2).not.toHaveBeenCalled();
    const [{ failures }] = await t.db.query(`SELECT "failures" FROM "shared"."auth_failures" WHERE "subject" = $1`, [
      `key:${parseApiKey(victim.apiKey)!.keyId}`,
    ]);
    expect(failures).toBe(40);

    // The owner, from its own address, on both instances (neither has seen the key yet) ...
    await get(a, victim.apiKey, newAddress()).expect(200);
    await get(b, victim.apiKey, newAddress()).expect(200);
    // ... and on an instance started after the attack, with nothing in memory (a restart or a deploy).
    const { app: fresh } = await buildApp(t.databaseUrl, SETTINGS);
    try {
      await get(fresh, victim.apiKey, newAddress()).expect(200);
    } finally {
      await closeApp(fresh);
    }
  });

  it('counts revoked keys as failures, even ones an instance verified and cached before, and spends no PBKDF2 on them', async () => {
    const tenant = await t.createTenant();
    const client = newAddress();
    await get(a, tenant.apiKey, client).expect(200);
    await get(b, tenant.apiKey, client).expect(200);
    await t.app.get(TenantsService).regenerateKey(tenant.tenant.id);
    await untilRefusedEverywhere(tenant.apiKey);
    const pbkdf2 = jest.spyOn(hasher, 'verifyApiKey');

    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 3; i++) statuses.push((await get(i % 2 ? a : b, tenant.apiKey, client)).status);
    expect(statuses).toEqual([...Array(LIMIT).fill(401), 429, 429, 429]);
    expect(pbkdf2).not.toHaveBeenCalled();

    // A purged tenant's key likewise.
    const doomed = await t.createTenant();
    const other = newAddress();
    await get(a, doomed.apiKey, other).expect(200);
    await t.app.get(TenantDeletionService).purge(doomed.tenant.id);
    await untilRefusedEverywhere(doomed.apiKey);
    const after: number[] = [];
    for (let i = 0; i < LIMIT + 1; i++) after.push((await get(i % 2 ? b : a, doomed.apiKey, other)).status);
    expect(after).toEqual([...Array(LIMIT).fill(401), 429]);
  });

  it('throttles wrong admin keys per client, on every instance, without refusing the operator elsewhere', async () => {
    const attacker = newAddress();
    const admin = (app: NestExpressApplication, key: string, from: string) =>
      request(app.getHttpServer()).get('/tenants').set('X-Forwarded-For', from).set('X-Admin-Key', key);
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 2; i++) statuses.push((await admin(i % 2 ? a : b, `wrong-admin-key-${i}`.padEnd(40, 'x'), attacker)).status);
    expect(statuses).toEqual([...Array(LIMIT).fill(401), 429, 429]);

    const throttled = await admin(a, 'still-wrong'.padEnd(40, 'x'), attacker).expect(429);
    const retryAfter = Number(throttled.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(throttled.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    // Even the right key gets no answer from that client (a throttled guesser learns nothing) ...
    await admin(b, TEST_ADMIN_KEY, attacker).expect(429);
    // ... while the operator at another address is served by both instances.
    const operator = newAddress();
    await admin(a, TEST_ADMIN_KEY, operator).expect(200);
    await admin(b, TEST_ADMIN_KEY, operator).expect(200);
  });

  it('shares one count between instances: N instances never allow N times the attempts', async () => {
    const client = newAddress();
    const statuses: number[] = [];
    // Alternating instances, one client: the limit holds for the sum, not per instance.
    for (let i = 0; i < LIMIT * 2; i++) statuses.push((await get(i % 2 ? a : b, generateApiKey().key, client)).status);
    expect(statuses).toEqual([...Array(LIMIT).fill(401), ...Array(LIMIT).fill(429)]);
    // Malformed keys count too.
    const other = newAddress();
    const malformed: number[] = [];
    for (let i = 0; i < LIMIT + 1; i++) malformed.push((await get(i % 2 ? a : b, `garbage-${i}`, other)).status);
    expect(malformed).toEqual([...Array(LIMIT).fill(401), 429]);
  });

  it('keeps refusing a throttled client a valid key it has not verified, and serves it to everyone else', async () => {
    const tenant = await t.createTenant();
    const noisy = newAddress();
    for (let i = 0; i < LIMIT; i++) await get(a, generateApiKey().key, noisy).expect(401);
    await get(b, tenant.apiKey, noisy).expect(429);
    await get(b, tenant.apiKey, newAddress()).expect(200);
  });
});
