import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DrainSignal } from '../../src/common/drain-signal';
import { listeningPort } from '../utils/event-stream';
import { waitingClaims } from '../utils/job-waiters';
import { buildApp, closeApp, createTestApp } from '../utils/test-app';
import type { TestApp } from '../utils/test-app';
import { mapConcurrent } from '../../src/common/concurrency';

const TENANTS = 100;
const WAITERS_PER_TENANT = 10;
const INSTANCES = ['scale-a', 'scale-b'] as const;

async function until(condition: () => boolean | Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The contract's scale rule for long-poll claims: 1,000 workers waiting across 100 tenants on two instances hold
 * one LISTEN connection per instance and no pooled connection; a job created in a tenant wakes a waiter of that
 * tenant (on either instance), and a drain answers the rest at once.
 */
describe('long-poll claims at scale: 1,000 waiting workers across 100 tenants', () => {
  let t: TestApp;
  const apps: NestExpressApplication[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    for (const name of INSTANCES) apps.push((await buildApp(t.databaseUrl, { INSTANCE_NAME: name })).app);
  }, 60_000);
  afterAll(async () => {
    for (const app of apps) await closeApp(app);
    await t?.close();
  });

  /** A tenant's POST to one instance, over a real socket: waiting claims hold theirs open. */
  const post = (port: number, path: string, apiKey: string, body: object) =>
    request(`http://127.0.0.1:${port}`).post(path).set('X-API-Key', apiKey).send(body);

  /** Connections of the two instances, by `application_name` (`<INSTANCE_NAME>:<pool>`) and state. */
  const connections = async () =>
    (await t.db.query(
      `SELECT "application_name" AS "name", "state", count(*)::int AS "n" FROM pg_stat_activity
        WHERE "datname" = current_database() AND "application_name" LIKE 'scale-%' GROUP BY 1, 2 ORDER BY 1, 2`,
    )) as Array<{ name: string; state: string; n: number }>;

  it('hold one LISTEN connection per instance and no pooled one; each tenant wakes its own, the drain answers the rest', async () => {
    const ports = await Promise.all(apps.map((app) => listeningPort(app)));
    const tenants = await mapConcurrent(
      Array.from({ length: TENANTS }, (_, i) => i),
      4,
      async () => {
        const { tenant, apiKey } = await t.createTenant();
        const target = await post(ports[0], '/targets', apiKey, {
          name: 'scale',
          address: 'https://example.test',
        });
        expect(target.status).toBe(201);
        return { id: tenant.id, apiKey, targetId: target.body.id as string };
      },
    );

    // Ten waiting workers per tenant, every other one on the second instance.
    const claims = tenants.flatMap((tenant, i) =>
      Array.from({ length: WAITERS_PER_TENANT }, (_, j) => {
        const workerId = `w-${i}-${j}`;
        return post(ports[j % 2], '/jobs/claim', tenant.apiKey, {
          workerId,
          types: ['scale'],
          waitSeconds: 30,
        }).then((answer) => ({
          tenant: i,
          workerId,
          answer,
        }));
      }),
    );
    const perInstance = (TENANTS * WAITERS_PER_TENANT) / apps.length;
    await until(
      () => apps.every((app) => waitingClaims(app).size === perInstance),
      `${perInstance} waiting claims on each instance`,
    );

    // Waiting: each instance's only connection is its LISTEN one, besides idle pooled ones (at most its pools' sizes).
    const held = await connections();
    for (const name of INSTANCES) {
      expect(held.filter((row) => row.name === `${name}:listen`).reduce((sum, row) => sum + row.n, 0)).toBe(1);
      const pooled = held.filter((row) => row.name.startsWith(`${name}:`) && row.name !== `${name}:listen`);
      expect(pooled.filter((row) => row.state !== 'idle')).toEqual([]);
      expect(pooled.reduce((sum, row) => sum + row.n, 0)).toBeLessThanOrEqual(
        t.config.TENANT_POOL_MAX + t.config.SHARED_POOL_MAX,
      );
    }

    // One job per tenant, created through the first instance: it goes to a waiting worker of that tenant.
    const jobs = await mapConcurrent(tenants, 8, async (tenant) => {
      const created = await post(ports[0], '/jobs', tenant.apiKey, {
        targetId: tenant.targetId,
        type: 'scale',
      });
      expect(created.status).toBe(201);
      return created.body.id as string;
    });
    const answered: Array<Awaited<(typeof claims)[number]>> = [];
    for (const claim of claims) void claim.then((settled) => answered.push(settled));
    await until(() => answered.length >= TENANTS, `${TENANTS} claims answered`);

    for (const app of apps) app.get(DrainSignal).begin();
    const all = await Promise.all(claims);
    const claimed = all.filter(({ answer }) => answer.status === 200);
    expect(claimed.map(({ tenant, answer }) => [tenant, answer.body.id]).sort()).toEqual(jobs.map((id, i) => [i, id]).sort());
    expect(claimed.every(({ workerId, answer }) => answer.body.workerId === workerId)).toBe(true);
    expect(all.filter(({ answer }) => answer.status === 204)).toHaveLength(TENANTS * (WAITERS_PER_TENANT - 1));
  }, 180_000);
});
