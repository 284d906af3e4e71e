/** What a run's end-of-run check found: jobs not done, and jobs done more than once (client side, database side). */
export interface RunCheck {
  lost: number;
  duplicated: number;
  client: { lost: number; duplicated: number };
  database: { lost: number; duplicated: number };
}

/** A job id and how the database saw it: finished successfully, and how many times it was run (attempts, completions). */
export interface DatabaseJobState {
  id: string;
  done: boolean;
  runs: number;
}

/**
 * The client's record of one run: every job created (by id), every start and completion the workers saw.
 * `done` resolves when as many jobs have completed as were expected.
 */
export class JobLedger {
  private readonly created = new Set<string>();
  private readonly starts = new Map<string, number>();
  private readonly completions = new Map<string, number>();
  private completedCount = 0;
  private resolveDone!: () => void;
  /** performance.now() of the completion that made the count. */
  finishedAt = 0;
  readonly done: Promise<void>;

  constructor(readonly expected: number) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  get isDone(): boolean {
    return this.completedCount >= this.expected;
  }

  get completed(): number {
    return this.completedCount;
  }

  createdIds(): string[] {
    return [...this.created];
  }

  markCreated(ids: string[]): void {
    for (const id of ids) this.created.add(id);
  }

  markStarted(id: string): void {
    this.starts.set(id, (this.starts.get(id) ?? 0) + 1);
  }

  markCompleted(id: string): void {
    const seen = this.completions.get(id) ?? 0;
    this.completions.set(id, seen + 1);
    if (seen > 0) return;
    this.completedCount += 1;
    if (this.completedCount === this.expected) {
      this.finishedAt = performance.now();
      this.resolveDone();
    }
  }

  /** Client side against what the database holds; a job counts once even when both sides see it. */
  check(database: DatabaseJobState[]): RunCheck {
    const lostIds = new Set<string>();
    const duplicatedIds = new Set<string>();
    let clientLost = 0;
    let clientDuplicated = 0;
    for (const id of this.created) {
      if (!this.completions.has(id)) {
        clientLost += 1;
        lostIds.add(id);
      }
    }
    for (const [id, count] of this.completions) {
      // Completed more than once, started more than once, or completed without having been created.
      if (count > 1 || (this.starts.get(id) ?? 0) > 1 || !this.created.has(id)) {
        clientDuplicated += 1;
        duplicatedIds.add(id);
      }
    }
    const byId = new Map(database.map((row) => [row.id, row]));
    let dbLost = 0;
    let dbDuplicated = 0;
    for (const id of this.created) {
      const row = byId.get(id);
      if (!row || !row.done) {
        dbLost += 1;
        lostIds.add(id);
      } else if (row.runs !== 1) {
        dbDuplicated += 1;
        duplicatedIds.add(id);
      }
    }
    // Rows of the run the client never created (the run's type or queue is its own).
    for (const row of database) {
      if (!this.created.has(row.id)) {
        dbDuplicated += 1;
        duplicatedIds.add(row.id);
      }
    }
    if (this.created.size !== this.expected) {
      // Fewer creations acknowledged than asked for: the missing ones are lost.
      const missing = Math.max(0, this.expected - this.created.size);
      clientLost += missing;
      for (let i = 0; i < missing; i++) lostIds.add(`missing-${i}`);
    }
    return {
      lost: lostIds.size,
      duplicated: duplicatedIds.size,
      client: { lost: clientLost, duplicated: clientDuplicated },
      database: { lost: dbLost, duplicated: dbDuplicated },
    };
  }
}
