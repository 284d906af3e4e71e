export const JOB_LOGS_CHANNEL = 'tenantry_job_logs';

/** Jobs per notification: 100 ids and seqs stay far below PostgreSQL's 8,000-byte payload limit. */
const JOBS_PER_NOTICE = 100;

/**
 * What a job-log notification says: in which tenant schema (`s`) which jobs (`j`) got entries, up to which seq.
 * A hint for streams to read the database, never data: a stream reads the entries (and the job's status) itself.
 */
export interface JobLogNotice {
  schema: string;
  jobs: Map<string, number>;
}

/** The payloads announcing these entries: one per 100 jobs, with each job's highest seq. */
export function jobLogNotices(schema: string, entries: Array<{ jobId: string; seq: number }>): string[] {
  const highest = new Map<string, number>();
  for (const { jobId, seq } of entries) highest.set(jobId, Math.max(highest.get(jobId) ?? 0, seq));
  const jobs = [...highest];
  const payloads: string[] = [];
  for (let i = 0; i < jobs.length; i += JOBS_PER_NOTICE) {
    payloads.push(JSON.stringify({ s: schema, j: Object.fromEntries(jobs.slice(i, i + JOBS_PER_NOTICE)) }));
  }
  return payloads;
}

/** The notice in a payload, or null when it is not one (ignored: streams fall back on their periodic read). */
export function parseJobLogNotice(payload: string): JobLogNotice | null {
  try {
    const { s, j } = JSON.parse(payload) as { s?: unknown; j?: unknown };
    if (typeof s !== 'string' || typeof j !== 'object' || j === null) return null;
    const jobs = new Map<string, number>();
    for (const [id, seq] of Object.entries(j)) if (typeof seq === 'number') jobs.set(id, seq);
    return { schema: s, jobs };
  } catch {
    return null;
  }
}
