import type { INestApplication } from '@nestjs/common';
import { TenantEventsService, type TenantChange, type TenantChangeReason } from '../../src/tenancy/registry/tenant-events.service';

/**
 * Resolves when `app` has heard this change of the tenant (over LISTEN when another instance made it), after the
 * app's own listeners — cache and DataSource evictions — have run: from then on the app must act on it. Subscribe
 * before making the change. Rejects after `ms`, far below the key cache's TTL, so a change that only a cache expiry
 * would bring fails instead of passing late.
 */
export function tenantChangeHeard(app: INestApplication, tenantId: string, reason: TenantChangeReason, ms = 10_000): Promise<TenantChange> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`no ${reason} change of tenant ${tenantId} heard within ${ms} ms`));
    }, ms);
    const unsubscribe = app.get(TenantEventsService).subscribe((change) => {
      if (change === 'resync' || change.tenantId !== tenantId || change.reason !== reason) return;
      unsubscribe();
      clearTimeout(timer);
      resolve(change);
    });
  });
}
