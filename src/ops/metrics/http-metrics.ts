import type { Request, Response } from 'express';
import { Histogram } from 'prom-client';
import { tenantLabel } from '../../common/metric-labels';
import { TenantContext } from '../../tenancy/auth/tenant-context';
import { routeOf } from '../logging/request-log';

const requestDuration = new Histogram({
  name: 'tenantry_http_request_duration_seconds',
  help: 'HTTP requests by route pattern, method and status, from arrival to the last byte of the response',
  labelNames: ['route', 'method', 'status', 'tenant'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

const tenants = new TenantContext();

/** Times a finished request; requests no route matched share the route label `unmatched` (bounded cardinality). */
export function observeRequest(req: Request, res: Response, seconds: number): void {
  const tenant = tenants.current;
  requestDuration.observe({ route: routeOf(req) ?? 'unmatched', method: req.method, status: res.statusCode, ...(tenant && tenantLabel(tenant.slug)) }, seconds);
}
