import type { Response } from 'express';
import { toJobLogDto } from './dto/job-log.dto';
import type { LogsSince } from './job-log.repository';
import { FINISHED_JOB_STATUSES } from './job.entity';

/** Entries read per statement; a longer backlog takes several reads, each sent before the next. */
export const STREAM_READ_BATCH = 500;

export interface JobLogStreamOptions {
  /** Reads the job's status and entries after a seq (a short query; no connection is held between reads). */
  read(after: number): Promise<LogsSince | null>;
  after: number;
  keepAliveMs: number;
  /** Ends the stream (client gone, drain, tenant changed): the loop stops and nothing more is written. */
  signal: AbortSignal;
}

/**
 * One `text/event-stream` of a job's log: each entry an event `id: <seq>` / `data: <JobLog JSON>`; once the job
 * has finished and every entry is sent, `event: end` with its status, then the response ends. Between reads it
 * waits — on nothing but a timer and `notify()` — for a notice that entries were written; every `keepAliveMs`
 * it sends a comment line (so proxies keep the connection) and reads anyway, in case a notice was missed (a job
 * deleted with its target sends none).
 */
export class JobLogStream {
  private after: number;
  private pending = true;
  private wakeUp?: () => void;

  constructor(
    private readonly res: Response,
    private readonly options: JobLogStreamOptions,
  ) {
    this.after = options.after;
  }

  /** Entries up to `seq` were written (or may have been, when undefined): read again. */
  notify(seq?: number): void {
    if (seq !== undefined && seq <= this.after) return;
    this.pending = true;
    this.wakeUp?.();
  }

  /** Sends the first read's answer (the caller has checked it) and then follows the job until it ends or aborts. */
  async run(first: LogsSince): Promise<void> {
    const { signal } = this.options;
    let batch: LogsSince | null = first;
    this.pending = false;
    while (!signal.aborted) {
      if (batch) {
        for (const entry of batch.entries) {
          if (!(await this.write(`id: ${entry.seq}\ndata: ${JSON.stringify(toJobLogDto(entry))}\n\n`))) return;
          this.after = entry.seq;
        }
        if (batch.entries.length >= STREAM_READ_BATCH) this.pending = true;
        else if (FINISHED_JOB_STATUSES.includes(batch.status)) {
          await this.write(`event: end\ndata: ${JSON.stringify({ status: batch.status })}\n\n`);
          return;
        }
        batch = null;
      }
      if (!this.pending && !(await this.sleep())) {
        if (!(await this.write(': keep-alive\n\n'))) return;
        this.pending = true;
      }
      if (this.pending && !signal.aborted) {
        this.pending = false;
        batch = await this.options.read(this.after);
        if (!batch) return; // the job is gone (deleted with its target)
      }
    }
  }

  /** True when woken by a notice (or an abort), false when the keep-alive interval passed. */
  private sleep(): Promise<boolean> {
    const { signal, keepAliveMs } = this.options;
    return new Promise((resolve) => {
      const done = (woken: boolean) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', aborted);
        this.wakeUp = undefined;
        resolve(woken);
      };
      const aborted = () => done(true);
      const timer = setTimeout(() => done(false), keepAliveMs);
      this.wakeUp = () => done(true);
      signal.addEventListener('abort', aborted);
      if (signal.aborted) done(true);
    });
  }

  /** Writes a frame, waiting for the socket to drain when its buffer is full; false once the stream is over. */
  private async write(frame: string): Promise<boolean> {
    const { signal } = this.options;
    if (signal.aborted || this.res.writableEnded || this.res.destroyed) return false;
    if (this.res.write(frame)) return true;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.res.on('drain', done);
      signal.addEventListener('abort', done);
    });
    return !signal.aborted;
  }
}
