import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { PgBoss } from 'pg-boss';
import type { Job, WorkOptions } from 'pg-boss';
import { DatabaseJobState, JobLedger } from './job-ledger';
import { LatencyOptions, LatencyRun, QueueRun, ThroughputOptions, elapsedSince, planBatches, sleepUntil, untilDone } from './queue-run';

export const PGBOSS_SCHEMA = 'pgboss';

type Data = { seq?: number; tenant?: string };

/**
 * pg-boss as its documentation has users run it for throughput: `insert` in batches, one `work()` with
 * `batchSize` and `localConcurrency` worker loops, LISTEN/NOTIFY on (`useListenNotify`, queues with
 * `notify`) and `burstWhenBatchFull` so a worker whose batch came back full fetches again at once.
 */
export class PgBossQueue {
  private constructor(
    private readonly boss: PgBoss,
    private readonly pool: Pool,
  ) {}

  static async start(databaseUrl: string, log: (line: string) => void): Promise<PgBossQueue> {
    const boss = new PgBoss({ connectionString: databaseUrl, schema: PGBOSS_SCHEMA, useListenNotify: true, application_name: 'bench-pg-boss' });
    boss.on('error', (error: Error) => log(`pg-boss error: ${error.message}`));
    await boss.start();
    return new PgBossQueue(boss, new Pool({ connectionString: databaseUrl, max: 2, application_name: 'bench-pg-boss-check' }));
  }

  /**
   * Moves `jobs` jobs from created to done on a queue of its own. With `tenants`, each job carries its tenant
   * in its data, or as pg-boss's `group` (one queue for every tenant either way, workers serving all of them). The run ends when
   * the database shows every job completed (pg-boss completes a batch after its handler returns).
   */
  async throughput(options: ThroughputOptions, tenants = 1, tenantIn: 'group' | 'data' = 'group'): Promise<QueueRun> {
    const name = options.type;
    await this.boss.createQueue(name, { notify: true });
    const ledger = new JobLedger(options.jobs);
    const batches = planBatches(options.jobs, tenants, options.batchSize);
    const calls = { inserts: batches.length, fetchedBatches: 0 };
    const workOptions: WorkOptions = {
      batchSize: options.claimLimit,
      localConcurrency: options.workers,
      burstWhenBatchFull: true,
      notifyPollingIntervalSeconds: options.waitSeconds,
    };
    await this.boss.work<Data>(name, workOptions, async (jobs: Array<Job<Data>>) => {
      calls.fetchedBatches += 1;
      for (const job of jobs) ledger.markStarted(job.id);
      for (const job of jobs) ledger.markCompleted(job.id);
    });
    const started = performance.now();
    try {
      const producers = Array.from({ length: options.producers }, async () => {
        for (let next = batches.shift(); next; next = batches.shift()) {
          const tenant = tenants > 1 ? `tenant-${next.tenant}` : undefined;
          const group = tenant && tenantIn === 'group' ? { id: tenant } : undefined;
          const data = tenant && tenantIn === 'data' ? { tenant } : {};
          const jobs = Array.from({ length: next.size }, () => ({ id: randomUUID(), data, group }));
          await this.boss.insert(name, jobs);
          ledger.markCreated(jobs.map((job) => job.id));
        }
      });
      await untilDone([...producers, ledger.done], []);
      await this.untilCompleted(name, options.jobs);
      const seconds = elapsedSince(started, performance.now());
      await this.boss.offWork(name);
      return { jobs: options.jobs, seconds, jobsPerSecond: options.jobs / seconds, check: ledger.check(await this.databaseStates(name)), calls };
    } finally {
      await this.boss.offWork(name).catch(() => undefined);
    }
  }

  /** One job sent at a time, every `intervalMs`, to `workers` idle worker loops. */
  async latency(options: LatencyOptions): Promise<LatencyRun> {
    const name = options.type;
    await this.boss.createQueue(name, { notify: true });
    const ledger = new JobLedger(options.samples);
    const sentAt = new Array<number>(options.samples);
    const startedAt = new Array<number>(options.samples);
    const workOptions: WorkOptions = { batchSize: options.claimLimit, localConcurrency: options.workers, burstWhenBatchFull: true, notifyPollingIntervalSeconds: options.waitSeconds };
    await this.boss.work<Data>(name, workOptions, async (jobs: Array<Job<Data>>) => {
      const now = performance.now();
      for (const job of jobs) {
        if (job.data.seq !== undefined) startedAt[job.data.seq] = now;
        ledger.markStarted(job.id);
        ledger.markCompleted(job.id);
      }
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const first = performance.now();
      for (let seq = 0; seq < options.samples; seq++) {
        await sleepUntil(first + seq * options.intervalMs);
        sentAt[seq] = performance.now();
        const id = await this.boss.send(name, { seq });
        if (id) ledger.markCreated([id]);
      }
      await ledger.done;
      await this.untilCompleted(name, options.samples);
      await this.boss.offWork(name);
      return { samplesMs: sentAt.map((at, i) => startedAt[i] - at), check: ledger.check(await this.databaseStates(name)) };
    } finally {
      await this.boss.offWork(name).catch(() => undefined);
    }
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, timeout: 10_000 });
    await this.pool.end();
  }

  /** Polls every 10 ms until the queue's jobs are all `completed` (a minute at most). */
  private async untilCompleted(name: string, jobs: number): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { rows } = await this.pool.query<{ n: number }>(
        `SELECT count(*)::int AS "n" FROM "${PGBOSS_SCHEMA}"."job" WHERE "name" = $1 AND "state" = 'completed'`,
        [name],
      );
      if (rows[0].n >= jobs || Date.now() > deadline) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Every job of the queue: done when `completed`; runs = 1 + its retries. */
  private async databaseStates(name: string): Promise<DatabaseJobState[]> {
    const { rows } = await this.pool.query<DatabaseJobState>(
      `SELECT "id", "state" = 'completed' AS "done", "retry_count" + 1 AS "runs" FROM "${PGBOSS_SCHEMA}"."job" WHERE "name" = $1`,
      [name],
    );
    return rows;
  }
}
