import { Pool } from 'pg';
import { mapConcurrent } from '../../src/common/concurrency';
import { quoteSchema } from '../../src/database/schema-name';
import { JsonClient } from './json-client';
import { DatabaseJobState, JobLedger } from './job-ledger';
import { elapsedSince, LatencyRun, QueueRun, ThroughputOptions, LatencyOptions, planBatches, sleepUntil, untilDone } from './queue-run';

/** One tenant as the benchmark's producers and workers see it. */
export interface QueueTenant {
  schemaName: string;
  /** Creates jobs (`write` scope). */
  writeKey: string;
  /** Claims and completes (`worker` scope). */
  workerKey: string;
  targetId: string;
}

interface JobItem {
  id: string;
  payload: { seq?: number };
}

const isAbort = (error: unknown) => error instanceof Error && (error.name === 'AbortError' || (error as { code?: string }).code === 'ABORT_ERR');

/**
 * Tenantry over HTTP: producers `POST /jobs/batch`, workers loop over `POST /jobs/claim` (`limit`,
 * `waitSeconds`) and `POST /jobs/complete-batch`, each on keep-alive connections.
 */
export class TenantryQueue {
  constructor(
    private readonly url: string,
    private readonly databaseUrl: string,
  ) {}

  /**
   * Moves `jobs` jobs spread over `tenants` from created to done. Worker w serves the tenants w, w + N, …
   * in turn: a claim with `waitSeconds: 0` on each, and once a whole pass found nothing, a long-poll claim
   * (`waitSeconds`) on the next one. With one tenant every claim long-polls.
   */
  async throughput(tenants: QueueTenant[], options: ThroughputOptions): Promise<QueueRun> {
    const ledger = new JobLedger(options.jobs);
    const client = new JsonClient(this.url, options.workers + options.producers);
    const stop = new AbortController();
    const batches = planBatches(options.jobs, tenants.length, options.batchSize);
    const calls = { batches: batches.length, claims: 0, emptyClaims: 0, completes: 0 };
    const started = performance.now();
    try {
      const producers = Array.from({ length: options.producers }, async () => {
        for (let next = batches.shift(); next; next = batches.shift()) {
          const tenant = tenants[next.tenant];
          const jobs = Array.from({ length: next.size }, () => ({ targetId: tenant.targetId, type: options.type }));
          const { body } = await client.post<{ items: JobItem[] }>('/jobs/batch', tenant.writeKey, { jobs }, 201);
          ledger.markCreated(body.items.map((job) => job.id));
        }
      });
      const workers = Array.from({ length: options.workers }, (_, w) => {
        const slice = tenants.length >= options.workers ? tenants.filter((_, i) => i % options.workers === w) : [tenants[w % tenants.length]];
        return this.worker(client, `bench-worker-${w}`, slice, options, ledger, stop.signal, calls);
      });
      await untilDone([...producers, ledger.done], workers);
      const seconds = elapsedSince(started, ledger.finishedAt);
      // Workers end when their claim in flight answers (a long poll at most waitSeconds). Aborting it would
      // leave the server's claim waiting for the next run's jobs, holding them for a lease with no one to work them.
      await Promise.all(workers);
      const check = ledger.check(await this.databaseStates(tenants, options.type));
      return { jobs: options.jobs, seconds, jobsPerSecond: options.jobs / seconds, check, calls };
    } finally {
      stop.abort();
      client.close();
    }
  }

  /** One job created at a time, every `intervalMs`, with `workers` idle workers long-polling one tenant. */
  async latency(tenant: QueueTenant, options: LatencyOptions): Promise<LatencyRun> {
    const ledger = new JobLedger(options.samples);
    const client = new JsonClient(this.url, options.workers + 1);
    const stop = new AbortController();
    const sentAt = new Array<number>(options.samples);
    const startedAt = new Array<number>(options.samples);
    const onStart = (job: JobItem) => {
      if (job.payload.seq !== undefined) startedAt[job.payload.seq] = performance.now();
    };
    try {
      const workers = Array.from({ length: options.workers }, (_, w) =>
        this.worker(client, `bench-idle-${w}`, [tenant], options, ledger, stop.signal, undefined, onStart),
      );
      const produce = async () => {
        // Let every worker reach its long poll before the first job.
        await new Promise((resolve) => setTimeout(resolve, 500));
        const first = performance.now();
        for (let seq = 0; seq < options.samples; seq++) {
          await sleepUntil(first + seq * options.intervalMs);
          sentAt[seq] = performance.now();
          const { body } = await client.post<JobItem>('/jobs', tenant.writeKey, { targetId: tenant.targetId, type: options.type, payload: { seq } }, 201);
          ledger.markCreated([body.id]);
        }
      };
      await untilDone([produce(), ledger.done], workers);
      await Promise.all(workers);
      const check = ledger.check(await this.databaseStates([tenant], options.type));
      return { samplesMs: sentAt.map((at, i) => startedAt[i] - at), check };
    } finally {
      stop.abort();
      client.close();
    }
  }

  private async worker(
    client: JsonClient,
    workerId: string,
    slice: QueueTenant[],
    options: { claimLimit: number; waitSeconds: number },
    ledger: JobLedger,
    signal: AbortSignal,
    calls = { claims: 0, emptyClaims: 0, completes: 0 },
    onStart?: (job: JobItem) => void,
  ): Promise<void> {
    let emptyClaims = 0;
    for (let turn = 0; !ledger.isDone; turn++) {
      const tenant = slice[turn % slice.length];
      // Rotating over several tenants, an idle worker long-polls one of them for a second, then moves on.
      const waitSeconds = slice.length === 1 ? options.waitSeconds : emptyClaims >= slice.length ? 1 : 0;
      let items: JobItem[];
      try {
        ({ items } = (await client.post<{ items: JobItem[] }>('/jobs/claim', tenant.workerKey, { workerId, limit: options.claimLimit, waitSeconds }, 200, signal)).body);
      } catch (error) {
        if (signal.aborted && isAbort(error)) return;
        throw error;
      }
      calls.claims += 1;
      if (items.length === 0) {
        calls.emptyClaims += 1;
        emptyClaims = waitSeconds > 0 ? 0 : emptyClaims + 1;
        continue;
      }
      emptyClaims = 0;
      for (const job of items) {
        ledger.markStarted(job.id);
        onStart?.(job);
      }
      calls.completes += 1;
      const body = { workerId, items: items.map((job) => ({ id: job.id })) };
      const { body: outcome } = await client.post<{ items: Array<{ id: string; status: string }> }>('/jobs/complete-batch', tenant.workerKey, body, 200);
      for (const item of outcome.items) {
        if (item.status === 'succeeded') ledger.markCompleted(item.id);
        else throw new Error(`complete-batch answered "${item.status}" for job ${item.id} of ${workerId}`);
      }
    }
  }

  /**
   * Every job of the run's type in the tenants' schemas: done when `succeeded`; runs = the larger of its
   * attempts (claims) and its `completed` log entries.
   */
  private async databaseStates(tenants: QueueTenant[], type: string): Promise<DatabaseJobState[]> {
    const pool = new Pool({ connectionString: this.databaseUrl, max: 4 });
    try {
      const schemas = [...new Set(tenants.map((t) => t.schemaName))];
      const perSchema = await mapConcurrent(schemas, 4, async (schemaName) => {
        const schema = quoteSchema(schemaName);
        const { rows } = await pool.query<DatabaseJobState>(
          `SELECT j."id", j."status" = 'succeeded' AS "done",
                  greatest(j."attempts", (SELECT count(*) FROM ${schema}."job_logs" l WHERE l."job_id" = j."id" AND l."data"->>'event' = 'completed'))::int AS "runs"
             FROM ${schema}."jobs" j WHERE j."type" = $1`,
          [type],
        );
        return rows;
      });
      return perSchema.flat();
    } finally {
      await pool.end();
    }
  }
}
