import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type { Response } from 'express';
import { DrainSignal } from '../common/drain-signal';
import { EnvironmentVariables } from '../config/environment-variables';
import { TenantContext } from '../tenancy/auth/tenant-context';
import { TenantEventsService } from '../tenancy/registry/tenant-events.service';
import { TenantDatabase } from '../tenancy/tenant-database.service';
import { JobLogRepository } from './job-log.repository';
import { JOB_LOGS_CHANNEL, parseJobLogNotice } from './job-log-notice';
import { JobLogStream, STREAM_READ_BATCH } from './job-log-stream';
import { jobMetrics } from './job-metrics';
import { JobNotFoundError, LogStreamCapacityError, TenantLogStreamLimitError } from './jobs.errors';

interface OpenStream {
  tenantId: string;
  stream: JobLogStream;
  end: AbortController;
}

/**
 * The log streams open on this instance. Whoever writes job log entries (any instance) sends a NOTIFY on
 * `tenantry_job_logs` with the tenant schema, the job ids and their last seq; the instance's one LISTEN
 * connection hears it and the streams of those jobs read the new rows with one short query. A stream holds no
 * database connection between reads. It ends when its client leaves, when the app drains (at once, so the drain
 * is not held up; the client reconnects elsewhere with `Last-Event-ID`), and when its tenant changes (a key
 * revoked, the tenant deactivated or deleted: the reconnection is authenticated again).
 */
@Injectable()
export class JobLogStreamsService implements OnApplicationShutdown {
  private readonly logger = new Logger(JobLogStreamsService.name);
  /** By `<schema>/<job id>`. */
  private readonly byJob = new Map<string, Set<OpenStream>>();
  private readonly perTenant = new Map<string, number>();
  private open = 0;

  constructor(
    private readonly db: TenantDatabase,
    private readonly tenant: TenantContext,
    private readonly drain: DrainSignal,
    private readonly config: EnvironmentVariables,
    events: TenantEventsService,
  ) {
    events.onChannel(JOB_LOGS_CHANNEL, (payload) => this.received(payload));
    events.subscribe((change) => {
      if (change === 'resync') return this.forEach((open) => open.stream.notify());
      this.forEach((open) => open.tenantId === change.tenantId && open.end.abort());
    });
  }

  /** Streams open on this instance. */
  get openCount(): number {
    return this.open;
  }

  /**
   * Streams the job's entries after `after` to `res`, then the new ones, until the job has finished (or the
   * stream is ended). Errors before the first byte (unknown job, limits) are thrown for the usual JSON answer.
   */
  async stream(jobId: string, after: number, res: Response): Promise<void> {
    const { id: tenantId, schemaName } = this.tenant.tenant;
    if (this.open >= this.config.JOB_LOG_STREAMS_MAX) throw new LogStreamCapacityError();
    const max = this.config.JOB_LOG_STREAMS_PER_TENANT_MAX;
    if ((this.perTenant.get(tenantId) ?? 0) >= max) throw new TenantLogStreamLimitError(max);
    // The tenant's DataSource (entity metadata, no connection) stays leased until the response ends.
    const dataSource = await this.db.dataSource();
    const read = (since: number) => new JobLogRepository(dataSource.manager).logsSince(jobId, since, STREAM_READ_BATCH);

    const end = new AbortController();
    const stop = () => end.abort();
    res.once('close', stop);
    this.drain.signal.addEventListener('abort', stop);
    if (this.drain.draining || !res.socket || res.socket.destroyed) stop();
    const stream = new JobLogStream(res, { read, after, keepAliveMs: this.config.JOB_LOG_STREAM_KEEPALIVE_SECONDS * 1000, signal: end.signal });
    const open: OpenStream = { tenantId, stream, end };
    // Registered before the first read, so no entry written meanwhile goes unnoticed.
    const release = this.register(`${schemaName}/${jobId}`, open);
    try {
      const first = await read(after);
      if (!first) throw new JobNotFoundError();
      res.status(200).set({
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        'X-Accel-Buffering': 'no',
      });
      res.flushHeaders();
      if (res.req.method === 'HEAD') return; // the headers only: nothing to follow
      await stream.run(first);
    } catch (error) {
      if (!res.headersSent) throw error;
      this.logger.warn(`log stream of job ${jobId} ended by an error: ${(error as Error).message}`);
    } finally {
      release();
      res.off('close', stop);
      this.drain.signal.removeEventListener('abort', stop);
      if (res.headersSent && !res.writableEnded) res.end();
    }
  }

  onApplicationShutdown(): void {
    this.forEach((open) => open.end.abort());
  }

  private register(key: string, open: OpenStream): () => void {
    const set = this.byJob.get(key) ?? new Set<OpenStream>();
    this.byJob.set(key, set);
    set.add(open);
    this.perTenant.set(open.tenantId, (this.perTenant.get(open.tenantId) ?? 0) + 1);
    this.open += 1;
    jobMetrics.logStreams.inc();
    return () => {
      set.delete(open);
      if (set.size === 0 && this.byJob.get(key) === set) this.byJob.delete(key);
      const left = this.perTenant.get(open.tenantId)! - 1;
      if (left === 0) this.perTenant.delete(open.tenantId);
      else this.perTenant.set(open.tenantId, left);
      this.open -= 1;
      jobMetrics.logStreams.dec();
    };
  }

  private forEach(action: (open: OpenStream) => void): void {
    for (const set of this.byJob.values()) for (const open of set) action(open);
  }

  /**
   * A notice is only a hint: the streams of the named jobs read the database themselves. With no stream open here
   * it is not even parsed (every claim and completion on any instance sends one); a stream opened later reads
   * the database after it registered, so it misses nothing.
   */
  private received(payload: string): void {
    if (this.byJob.size === 0) return;
    const notice = parseJobLogNotice(payload);
    if (!notice) return this.logger.warn('ignored a malformed job log notification');
    for (const [jobId, seq] of notice.jobs) {
      for (const open of this.byJob.get(`${notice.schema}/${jobId}`) ?? []) open.stream.notify(seq);
    }
  }
}
