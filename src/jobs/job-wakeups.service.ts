import { Injectable, Logger } from '@nestjs/common';
import { TenantEventsService } from '../tenancy/registry/tenant-events.service';
import type { JobQueueRepository } from './job-queue.repository';

export const JOBS_CHANNEL = 'tenantry_jobs_due';

/** `tenant`, `type` of the job, and in how many seconds it becomes due (0: now). */
interface JobsDue {
  tenant: string;
  type: string;
  in: number;
}

interface Waiter {
  types?: Set<string>;
  /** Wakes the waiter now, or shortens its wait to `seconds`. */
  wake(seconds: number): void;
}

/**
 * Wakes long-poll claims. Whoever queues a job (created, requeued, retried) sends a NOTIFY through the
 * tenant events' LISTEN connection — one per instance — and every instance wakes its waiting claims of that
 * tenant and type. Waiters hold no database connection: they wait on a timer and this registry.
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

  /** Tells every instance that jobs of these types are queued, due in `seconds`; sent in the caller's transaction. */
  async announce(queue: JobQueueRepository, tenantId: string, jobs: Array<{ type: string; in: number }>): Promise<void> {
    const soonest = new Map<string, number>();
    for (const job of jobs) soonest.set(job.type, Math.min(soonest.get(job.type) ?? Infinity, Math.max(0, job.in)));
    for (const [type, seconds] of soonest) {
      const payload: JobsDue = { tenant: tenantId, type, in: seconds };
      await queue.notify(JOBS_CHANNEL, JSON.stringify(payload));
    }
  }

  /**
   * Resolves when a job of the tenant (and one of `types`) may be due, after `seconds`, or at once when
   * `signal` aborts. `dueIn` is when the next queued job becomes due, if known.
   */
  wait(tenantId: string, types: string[] | undefined, seconds: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout;
      let deadline = Date.now() + seconds * 1000;
      const set = this.waiters.get(tenantId) ?? new Set<Waiter>();
      this.waiters.set(tenantId, set);
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        set.delete(waiter);
        if (set.size === 0 && this.waiters.get(tenantId) === set) this.waiters.delete(tenantId);
        resolve();
      };
      const waiter: Waiter = {
        types: types && new Set(types),
        wake: (after) => {
          const at = Date.now() + after * 1000;
          if (at >= deadline) return;
          deadline = at;
          clearTimeout(timer);
          timer = setTimeout(done, Math.max(0, at - Date.now()));
        },
      };
      set.add(waiter);
      timer = setTimeout(done, seconds * 1000);
      if (signal.aborted) return done();
      signal.addEventListener('abort', done);
    });
  }

  private received(payload: string): void {
    let due: JobsDue;
    try {
      due = JSON.parse(payload) as JobsDue;
    } catch {
      this.logger.warn('ignored a malformed job notification');
      return;
    }
    for (const waiter of this.waiters.get(due.tenant) ?? []) {
      if (!waiter.types || waiter.types.has(due.type)) waiter.wake(due.in);
    }
  }
}
