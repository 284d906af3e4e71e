import type { INestApplication } from '@nestjs/common';
import { JobWakeupsService } from '../../src/jobs/job-wakeups.service';

/**
 * The app's waiting long-poll claims, of one tenant or of all, as objects (not claims still looking for jobs: a
 * claim woken and waiting again is a new one). Read from JobWakeupsService's registry, the one place they are kept.
 */
export function waitingClaims(app: INestApplication, tenantId?: string): Set<unknown> {
  const registry = app.get(JobWakeupsService) as unknown as { waiters: Map<string, Set<{ waiting: boolean }>> };
  const sets = tenantId === undefined ? [...registry.waiters.values()] : [registry.waiters.get(tenantId) ?? new Set()];
  return new Set(sets.flatMap((set) => [...set].filter((waiter) => waiter.waiting)));
}

/** Resolves once the app holds at least `n` waiting claims (of the tenant, when given): no sleeping guess. */
export async function untilWaiting(app: INestApplication, n: number, tenantId?: string): Promise<void> {
  while (waitingClaims(app, tenantId).size < n) await new Promise((resolve) => setTimeout(resolve, 10));
}
