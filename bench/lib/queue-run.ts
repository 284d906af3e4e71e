import type { RunCheck } from './job-ledger';

export interface ThroughputOptions {
  jobs: number;
  /** Worker loops, each with one request in flight. */
  workers: number;
  /** Producer loops, each sending one batch at a time. */
  producers: number;
  batchSize: number;
  /** Jobs per claim (Tenantry `limit`, pg-boss `batchSize`). */
  claimLimit: number;
  /** Long-poll wait of an idle claim, in seconds. */
  waitSeconds: number;
  /** The run's own job type (Tenantry) or queue name (pg-boss). */
  type: string;
}

export interface LatencyOptions {
  samples: number;
  intervalMs: number;
  workers: number;
  claimLimit: number;
  waitSeconds: number;
  type: string;
}

/** Jobs moved from created to done: from the first batch sent to the last completion seen. */
export interface QueueRun {
  jobs: number;
  seconds: number;
  jobsPerSecond: number;
  check: RunCheck;
  /** Requests (or calls) by kind, e.g. claims that came back empty. */
  calls?: Record<string, number>;
}

/** Enqueue→start of each job: from just before its create request was sent to when a worker got it. */
export interface LatencyRun {
  samplesMs: number[];
  check: RunCheck;
}

/** `jobs` spread evenly over `tenants`, cut into batches of at most `batchSize`, tenants taking turns. */
export function planBatches(jobs: number, tenants: number, batchSize: number): Array<{ tenant: number; size: number }> {
  const perTenant = Array.from({ length: tenants }, (_, i) => Math.floor(jobs / tenants) + (i < jobs % tenants ? 1 : 0));
  const batches: Array<{ tenant: number; size: number }> = [];
  while (perTenant.some((left) => left > 0)) {
    for (const [tenant, left] of perTenant.entries()) {
      if (left === 0) continue;
      const size = Math.min(left, batchSize);
      perTenant[tenant] -= size;
      batches.push({ tenant, size });
    }
  }
  return batches;
}

export function sleepUntil(at: number): Promise<void> {
  const ms = at - performance.now();
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

export function elapsedSince(startMs: number, endMs: number): number {
  return (endMs - startMs) / 1000;
}

/**
 * Waits for `work`; fails as soon as one of the worker loops fails (a worker that returns normally,
 * i.e. after the run is done, counts as nothing). Call it right after starting the loops.
 */
export async function untilDone(work: Array<Promise<unknown>>, workers: Array<Promise<void>>): Promise<void> {
  const failure = Promise.race(workers.map((worker) => worker.then(() => new Promise<never>(() => undefined))));
  await Promise.race([Promise.all(work), failure]);
}
