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

/**
 * The payloads announcing these entries: one per 100 jobs, with each job's highest seq. Written as text directly
 * (what `JSON.stringify({ s, j })` would write: ids are JSON strings, seqs integers): a claim or a completion of
 * 100 jobs sends one, and building it through a Map, `Object.fromEntries` and `JSON.stringify` cost more.
 */
export function jobLogNotices(schema: string, entries: Array<{ jobId: string; seq: number }>): string[] {
  const highest = new Map<string, number>();
  for (const { jobId, seq } of entries) {
    const known = highest.get(jobId);
    if (known === undefined || seq > known) highest.set(jobId, seq);
  }
  const head = `{"s":${JSON.stringify(schema)},"j":{`;
  const payloads: string[] = [];
  let body = '';
  let count = 0;
  for (const [jobId, seq] of highest) {
    body += `${count === 0 ? '' : ','}${JSON.stringify(jobId)}:${seq}`;
    if (++count === JOBS_PER_NOTICE) {
      payloads.push(`${head}${body}}}`);
      body = '';
      count = 0;
    }
  }
  if (count > 0) payloads.push(`${head}${body}}}`);
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
