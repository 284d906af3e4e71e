import type { Request, Response } from 'express';
import { Histogram } from 'prom-client';
import { histogramObserver } from '../../common/histogram-observer';
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

type Observe = (seconds: number) => void;
/** One observer per label set, found by route, method, status and tenant without building the labels again. */
const observers = new Map<string, Observe>();

/** Times a finished request; requests no route matched share the route label `unmatched` (bounded cardinality). */
export function observeRequest(req: Request, res: Response, seconds: number): void {
  const tenant = tenants.current;
  observerOf(routeOf(req) ?? 'unmatched', req.method, res.statusCode, tenant && tenantLabel(tenant.slug).tenant)(seconds);
}

function observerOf(route: string, method: string, status: number, tenant: string | undefined): Observe {
  // A space cannot appear in a route pattern or a method, so the key names one label set.
  const key = `${route} ${method} ${status} ${tenant ?? ''}`;
  let observe = observers.get(key);
  if (!observe) {
    observe = histogramObserver(requestDuration, { route, method, status, ...(tenant === undefined ? {} : { tenant }) });
    observers.set(key, observe);
  }
  return observe;
}
