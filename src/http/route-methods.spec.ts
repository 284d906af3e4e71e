import express, { type Request } from 'express';
import { RouteMethods } from './route-methods';

describe('RouteMethods', () => {
  const app = express();
  const noop = () => undefined;
  app.use('{/*splat}', noop); // plain middleware: not a route
  app.all('{/*splat}', noop); // route-bound middleware: every method, so no endpoint either
  app.get('/targets', noop);
  app.post('/targets', noop);
  app.get('/targets/:id', noop);
  app.patch('/targets/:id', noop);
  const routes = new RouteMethods(() => app.router as unknown as { stack: object[] });
  const req = (method: string, path: string) => ({ method, path }) as Request;

  it('lists the methods of the matching routes when the request method is not one of them', () => {
    expect(routes.allowedOtherwise(req('DELETE', '/targets'))).toEqual(['GET', 'HEAD', 'POST']);
    expect(routes.allowedOtherwise(req('PUT', '/targets/abc'))).toEqual(['GET', 'HEAD', 'PATCH']);
  });

  it('is null when the method is served (HEAD by GET too) or no route matches the path', () => {
    expect(routes.allowedOtherwise(req('GET', '/targets'))).toBeNull();
    expect(routes.allowedOtherwise(req('HEAD', '/targets/abc'))).toBeNull();
    expect(routes.allowedOtherwise(req('DELETE', '/nope'))).toBeNull();
    expect(routes.allowedOtherwise(req('DELETE', '/targets/a/b'))).toBeNull();
  });
});
