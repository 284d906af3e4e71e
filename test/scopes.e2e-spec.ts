import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import request from 'supertest';
import { ApiKeyGuard } from '../src/tenancy/auth/api-key.guard';
import { REQUIRED_SCOPES } from '../src/tenancy/auth/require-scope.decorator';
import { createTestApp, TEST_ADMIN_KEY, TestApp } from './utils/test-app';

interface RouteInfo {
  route: string;
  tenant: boolean;
  scopes: string[] | undefined;
}

/** Every route of the app, from Nest's own metadata: method, path, whether it is a tenant route, its scopes. */
function routesOf(t: TestApp): RouteInfo[] {
  const routes: RouteInfo[] = [];
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Function;
      const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      const classGuards: unknown[] = Reflect.getMetadata(GUARDS_METADATA, controller) ?? [];
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = controller.prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const path = Reflect.getMetadata(PATH_METADATA, handler);
        const method = Reflect.getMetadata(METHOD_METADATA, handler);
        if (path === undefined || method === undefined) continue;
        const guards = [...classGuards, ...(Reflect.getMetadata(GUARDS_METADATA, handler) ?? [])];
        routes.push({
          route: `${RequestMethod[method]} /${[base, String(path)].filter((p) => p && p !== '/').join('/')}`,
          tenant: guards.includes(ApiKeyGuard),
          scopes: Reflect.getMetadata(REQUIRED_SCOPES, handler) ?? Reflect.getMetadata(REQUIRED_SCOPES, controller),
        });
      }
    }
  }
  return routes;
}

describe('API key scopes (read, write, worker)', () => {
  let t: TestApp;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    const { tenant } = await t.createTenant();
    for (const scopes of [['read'], ['write'], ['worker'], ['read', 'write', 'worker']]) {
      const res = await request(t.app.getHttpServer())
        .post(`/tenants/${tenant.id}/keys`)
        .set('X-Admin-Key', TEST_ADMIN_KEY)
        .send({ name: scopes.join('+'), scopes })
        .expect(201);
      keys[scopes.join('+')] = res.body.apiKey;
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  it('declares a scope next to every tenant route (a new route cannot forget it)', () => {
    const routes = routesOf(t);
    const tenantRoutes = routes.filter((r) => r.tenant);
    expect(tenantRoutes.length).toBeGreaterThanOrEqual(20);
    expect(tenantRoutes.filter((r) => !r.scopes?.length).map((r) => r.route)).toEqual([]);
    // Operator and public routes take no tenant scope.
    expect(routes.filter((r) => !r.tenant && r.scopes).map((r) => r.route)).toEqual([]);
    // API.md: every GET needs read (jobs also worker), every change write, the worker protocol worker.
    const byRoute = Object.fromEntries(tenantRoutes.map((r) => [r.route, r.scopes]));
    expect(byRoute).toMatchObject({
      'GET /targets': ['read'],
      'POST /targets': ['write'],
      'DELETE /targets/:id': ['write'],
      'GET /jobs': ['read', 'worker'],
      'POST /jobs/claim': ['worker'],
      'POST /jobs/:id/logs': ['write', 'worker'],
      'GET /tenant-info': ['read', 'write', 'worker'],
    });
    for (const { route, scopes } of tenantRoutes) {
      if (route.startsWith('GET ')) expect({ route, read: scopes!.includes('read') }).toEqual({ route, read: true });
      else expect({ route, read: scopes!.includes('read') }).toEqual({ route, read: false });
    }
  });

  const as = (key: string) => ({
    get: (path: string) => t.http().get(path).set('X-API-Key', keys[key]),
    post: (path: string, body: object = {}) => t.http().post(path).set('X-API-Key', keys[key]).send(body),
    patch: (path: string, body: object) => t.http().patch(path).set('X-API-Key', keys[key]).send(body),
    delete: (path: string) => t.http().delete(path).set('X-API-Key', keys[key]),
  });
  const lacks = async (req: request.Test, scope: string) => {
    const res = await req.expect(403);
    expect(res.body).toEqual({ statusCode: 403, error: 'Forbidden', message: `API key lacks the ${scope} scope`, requestId: expect.any(String) });
  };

  it('lets a read key read and nothing else', async () => {
    const target = await as('write').post('/targets', { name: 'scoped-r', address: 'h1' }).expect(201);
    await as('read').get('/targets').expect(200);
    await as('read').get(`/targets/${target.body.id}`).expect(200);
    await as('read').get('/jobs').expect(200);
    await lacks(as('read').post('/targets', { name: 'nope', address: 'x' }), 'write');
    await lacks(as('read').patch(`/targets/${target.body.id}`, { address: 'y' }), 'write');
    await lacks(as('read').delete(`/targets/${target.body.id}`), 'write');
    await lacks(as('read').post('/jobs/claim', { workerId: 'w' }), 'worker');
    // Nothing was changed by the refused requests.
    expect((await as('read').get(`/targets/${target.body.id}`).expect(200)).body.address).toBe('h1');
    expect((await as('read').get('/targets').expect(200)).body.items.map((x: { name: string }) => x.name)).not.toContain('nope');
  });

  it('lets a worker key run the worker protocol and read jobs, but not read targets or delete them', async () => {
    const target = await as('write').post('/targets', { name: 'scoped-w', address: 'h2' }).expect(201);
    const job = await as('write').post('/jobs', { targetId: target.body.id, type: 'scan' }).expect(201);
    const claimed = await as('worker').post('/jobs/claim', { workerId: 'w1' }).expect(200);
    expect(claimed.body.id).toBe(job.body.id);
    await as('worker').post(`/jobs/${job.body.id}/heartbeat`, { workerId: 'w1' }).expect(200);
    await as('worker').post(`/jobs/${job.body.id}/logs`, { entries: [{ level: 'info', message: 'working' }] }).expect(201);
    await as('worker').get(`/jobs/${job.body.id}`).expect(200);
    await as('worker').get(`/jobs/${job.body.id}/logs`).expect(200);
    await as('worker').post(`/jobs/${job.body.id}/complete`, { workerId: 'w1' }).expect(200);
    await lacks(as('worker').get('/targets'), 'read');
    await lacks(as('worker').delete(`/targets/${target.body.id}`), 'write');
    await lacks(as('worker').post('/jobs', { targetId: target.body.id, type: 'scan' }), 'write');
    await as('read').get(`/targets/${target.body.id}`).expect(200);
  });

  it('lets a write key change things but not read them or claim jobs', async () => {
    const target = await as('write').post('/targets', { name: 'scoped-x', address: 'h3' }).expect(201);
    await as('write').patch(`/targets/${target.body.id}`, { address: 'h4' }).expect(200);
    await lacks(as('write').get('/targets'), 'read');
    await lacks(as('write').get(`/targets/${target.body.id}`), 'read');
    await lacks(as('write').post('/jobs/claim', { workerId: 'w' }), 'worker');
    await as('write').delete(`/targets/${target.body.id}`).expect(204);
  });

  it('answers /tenant-info to a key of any scope, with its scopes', async () => {
    for (const name of ['read', 'write', 'worker']) {
      const res = await as(name).get('/tenant-info').expect(200);
      expect(res.body.key.scopes).toEqual([name]);
    }
  });
});
