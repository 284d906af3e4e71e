import { Injectable, Logger } from '@nestjs/common';
import { TenantEventsService } from '../tenancy/registry/tenant-events.service';
import type { JobQueueRepository } from './job-queue.repository';
import { jobMetrics } from './job-metrics';

export const JOBS_CHANNEL = 'tenantry_jobs_due';

/** `tenant`, `type` of the jobs, in how many seconds the soonest becomes due (0: now), and how many (`n`) there are. */
interface JobsDue {
  tenant: string;
  type: string;
  in: number;
  n?: number;
}

interface Waiter {
  /** False while its claim still looks for jobs (`enter`), true once it waits. */
  waiting: boolean;
  types?: Set<string>;
  /** How many jobs its claim takes. */
  limit: number;
  /** The type of the announcement that woke it (it claims at once), if one did. */
  wokenBy?: string;
  /** Wakes the waiter now, or shortens its wait to `seconds`. */
  wake(seconds: number, type?: string): void;
}

/** A claim's place among the waiters (`enter`): it then waits, or leaves when its claim needs no wait. */
export interface PendingWait {
  /** Resolves after `seconds`, sooner if an announcement came since `enter` (at once for jobs due now), or at once when `signal` aborts; with the announced type when one woke it (the claim should follow). */
  wait(seconds: number, signal: AbortSignal): Promise<WaitEnd>;
  /** Leaves without waiting (the claim got jobs, or will not wait); a wake-up it took goes to the next waiter. */
  leave(): void;
}

/** Why a wait ended: a job of this type was announced (`woken`), or the time was up or the wait aborted. */
export type WaitEnd = { woken: string } | null;

/**
 * Wakes long-poll claims. Whoever queues a job (created, requeued, retried) sends a NOTIFY through the
 * tenant events' LISTEN connection — one per instance — and every instance wakes its waiting claims of that
 * tenant and type. Waiters hold no database connection: they wait on a timer and this registry.
 *
 * Jobs due now wake only as many waiters (oldest first) as their claims' limits need for the jobs announced —
 * on each instance, so with several instances up to that many per instance — not every waiter of the tenant;
 * a woken claim whose client left before it claimed passes the wake-up on to the next waiter. Jobs due later
 * shorten every matching waiter's wait (they all claim at that time).
 */
@Injectable()
export class JobWakeupsService {
  private readonly logger = new Logger(JobWakeupsService.name);
  private readonly waiters = new Map<string, Set<Waiter>>();

  constructor(events: TenantEventsService) {
    events.onChannel(JOBS_CHANNEL, (payload) => this.received(payload));
    // After a lost LISTEN connection a notification may have been missed: every waiter claims again.
    events.subscribe((change) => {
      if (change === 'resync') for (const set of this.waiters.values()) for (const waiter of set) waiter.wake(0);
    });
  }

  /** Claims waiting on this instance (not those still looking for jobs). */
  get waitingCount(): number {
    let count = 0;
    for (const set of this.waiters.values()) for (const waiter of set) if (waiter.waiting) count++;
    return count;
  }

  /** Tells every instance that jobs of these types are queued, due in `seconds`; sent in the caller's transaction. */
  async announce(queue: JobQueueRepository, tenantId: string, jobs: Array<{ type: string; in: number }>): Promise<void> {
    const byType = new Map<string, { in: number; n: number }>();
    for (const job of jobs) {
      const seen = byType.get(job.type) ?? { in: Infinity, n: 0 };
      byType.set(job.type, { in: Math.min(seen.in, Math.max(0, job.in)), n: seen.n + 1 });
    }
    for (const [type, due] of byType) {
      const payload: JobsDue = { tenant: tenantId, type, in: due.in, n: due.n };
      await queue.notify(JOBS_CHANNEL, JSON.stringify(payload));
    }
  }

  /**
   * Takes a claim's place among the waiters before it looks for jobs: an announcement that arrives while its
   * claim runs (after the claim's statement saw no job, before the wait began) then counts for it, and its
   * `wait` ends at once, instead of sleeping through a job that is there.
   */
  enter(tenantId: string, types: string[] | undefined, limit: number): PendingWait {
    const set = this.waiters.get(tenantId) ?? new Set<Waiter>();
    this.waiters.set(tenantId, set);
    let deadline = Infinity;
    let timer: NodeJS.Timeout | undefined;
    let finish: ((end: WaitEnd) => void) | undefined;
    let waitSignal: AbortSignal | undefined;
    const remove = (): boolean => {
      if (!set.delete(waiter)) return false;
      if (waiter.waiting) jobMetrics.waitingClaims.dec();
      if (set.size === 0 && this.waiters.get(tenantId) === set) this.waiters.delete(tenantId);
      return true;
    };
    const done = () => {
      clearTimeout(timer);
      waitSignal?.removeEventListener('abort', done);
      if (remove()) finish?.(waiter.wokenBy === undefined ? null : { woken: waiter.wokenBy });
    };
    const waiter: Waiter = {
      waiting: false,
      types: types && new Set(types),
      limit,
      wake: (after, type) => {
        if (after <= 0 && type !== undefined) waiter.wokenBy ??= type;
        const at = Date.now() + after * 1000;
        if (at >= deadline) return;
        deadline = at;
        if (!finish) return; // still claiming: its wait will start from this deadline
        clearTimeout(timer);
        timer = setTimeout(done, Math.max(0, at - Date.now()));
      },
    };
    set.add(waiter);
    return {
      wait: (seconds, signal) =>
        new Promise<WaitEnd>((resolve) => {
          finish = resolve;
          waiter.waiting = true;
          jobMetrics.waitingClaims.inc();
          waitSignal = signal;
          deadline = Math.min(deadline, Date.now() + seconds * 1000);
          timer = setTimeout(done, Math.max(0, deadline - Date.now()));
          if (signal.aborted) return done();
          signal.addEventListener('abort', done);
        }),
      // A wake-up it took may have been for a job its claim did not get: the next waiter has it.
      leave: () => {
        if (remove() && waiter.wokenBy !== undefined) this.passOn(tenantId, waiter.wokenBy);
      },
    };
  }

  /** A woken claim whose client left before it claimed hands the wake-up on to the next waiter of the tenant and type. */
  passOn(tenantId: string, type: string): void {
    this.wakeDue(tenantId, type, 1);
  }

  private received(payload: string): void {
    let due: JobsDue;
    try {
      due = JSON.parse(payload) as JobsDue;
    } catch {
      this.logger.warn('ignored a malformed job notification');
      return;
    }
    if (due.in > 0 || typeof due.n !== 'number') {
      for (const waiter of this.waiters.get(due.tenant) ?? []) if (this.wants(waiter, due.type)) waiter.wake(due.in, due.type);
      return;
    }
    this.wakeDue(due.tenant, due.type, due.n);
  }

  /** Wakes the oldest waiters not woken yet, until their limits cover `jobs`. */
  private wakeDue(tenantId: string, type: string, jobs: number): void {
    let covered = 0;
    for (const waiter of this.waiters.get(tenantId) ?? []) {
      if (covered >= jobs) return;
      if (waiter.wokenBy !== undefined || !this.wants(waiter, type)) continue;
      waiter.wake(0, type);
      covered += waiter.limit;
    }
  }

  private wants(waiter: Waiter, type: string): boolean {
    return !waiter.types || waiter.types.has(type);
  }
}
