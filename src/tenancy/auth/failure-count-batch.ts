import type { FailureCount } from './auth-failures.repository';

/** Adds one failure per occurrence of each subject (duplicates allowed), answering each subject's count after all of them. */
export type WriteFailures = (subjects: string[]) => Promise<Map<string, FailureCount>>;

interface Queued {
  subjects: string[];
  resolve: (counts: Map<string, FailureCount>) => void;
  reject: (error: unknown) => void;
}

/**
 * Failures to count in the shared counters, written by one statement per flush: the first failure after a quiet
 * spell is written at once (on the next timer tick), later ones wait until `intervalMs` after the previous flush
 * began, and at most one flush is in flight. Every caller waits for the flush that holds its failure and gets the
 * counts it would have got from a statement of its own (the flush's count minus the failures queued after it in
 * the batch), so a failure is answered only once it is in the count that every instance reads.
 * A flood of failures thus costs about 1000 / intervalMs statements a second and one pool connection, whatever
 * its rate; each failed attempt waits at most about intervalMs more for its answer.
 */
export class FailureCountBatch {
  private queued: Queued[] = [];
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private lastFlushAt = -Infinity;

  constructor(
    private readonly write: WriteFailures,
    private readonly intervalMs: number,
  ) {}

  /** Counts one failure for each subject; resolves with their counts once written. */
  add(subjects: string[]): Promise<Map<string, FailureCount>> {
    return new Promise((resolve, reject) => {
      this.queued.push({ subjects, resolve, reject });
      this.schedule();
    });
  }

  /** Writes whatever is queued now, and waits for it (shutdown). */
  async drain(): Promise<void> {
    for (;;) {
      clearTimeout(this.timer);
      this.timer = undefined;
      if (this.flushing) await this.flushing;
      else if (this.queued.length > 0) await this.flush();
      else return;
    }
  }

  private schedule(): void {
    if (this.flushing || this.timer) return;
    const wait = Math.max(0, this.lastFlushAt + this.intervalMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, wait);
  }

  private flush(): Promise<void> {
    const batch = this.queued;
    this.queued = [];
    this.lastFlushAt = performance.now();
    this.flushing = this.writeBatch(batch).finally(() => {
      this.flushing = undefined;
      if (this.queued.length > 0) this.schedule();
    });
    return this.flushing;
  }

  private async writeBatch(batch: Queued[]): Promise<void> {
    if (batch.length === 0) return;
    // Sorted, so that every instance's statement takes the rows' locks in one order.
    const subjects = batch.flatMap((entry) => entry.subjects).sort();
    let counts: Map<string, FailureCount>;
    try {
      counts = await this.write(subjects);
    } catch (error) {
      for (const entry of batch) entry.reject(error);
      return;
    }
    const total = new Map<string, number>();
    for (const subject of subjects) total.set(subject, (total.get(subject) ?? 0) + 1);
    const seen = new Map<string, number>();
    for (const entry of batch) {
      const own = new Map<string, FailureCount>();
      for (const subject of entry.subjects) {
        const after = counts.get(subject);
        if (!after) continue;
        const nth = (seen.get(subject) ?? 0) + 1;
        seen.set(subject, nth);
        own.set(subject, { failures: after.failures - total.get(subject)! + nth, retryAfterSeconds: after.retryAfterSeconds });
      }
      entry.resolve(own);
    }
  }
}
