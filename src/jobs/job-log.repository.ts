import type { EntityManager } from 'typeorm';
import { queueTables } from './queue-tables';
import { JobLog, JobLogLevel } from './job-log.entity';
import type { JobStatus } from './job.entity';
import { JOB_LOGS_CHANNEL, jobLogNotices } from './job-log-notice';
import type { JsonObject } from '../common/json';

export interface LogEntry {
  level: JobLogLevel;
  message: string;
  data?: JsonObject | null;
  /** ISO 8601; the database clock when absent. */
  timestamp?: string;
}

/** An entry whose `seq` its writer reserved (a server entry takes the `log_seq` its state change bumped). */
export interface NumberedLogEntry extends LogEntry {
  jobId: string;
  seq: number;
}

/** A job's status and its entries after a seq, read in one statement (one snapshot). */
export interface LogsSince {
  status: JobStatus;
  entries: JobLog[];
}

/**
 * The job-log statements, on one tenant's DataSource, in the caller's transaction. Seqs are gapless per job:
 * they are reserved by bumping `jobs.log_seq` under its row lock, in the transaction that inserts them.
 */
export class JobLogRepository {
  constructor(private readonly manager: EntityManager) {}

  /**
   * Appends entries numbered after the job's last seq, reserved by bumping `jobs.log_seq` (`jobs_pkey`); the
   * row lock of that UPDATE serializes appenders of one job. False when there is no such job.
   */
  async appendLogs(jobId: string, entries: LogEntry[]): Promise<boolean> {
    const [rows] = await this.manager.query<[Array<{ logSeq: number }>, number]>(
      `UPDATE ${queueTables(this.manager).jobs} SET "log_seq" = "log_seq" + $2 WHERE "id" = $1 RETURNING "log_seq" AS "logSeq"`,
      [jobId, entries.length],
    );
    if (rows.length === 0) return false;
    const first = rows[0].logSeq - entries.length + 1;
    await this.insertLogs(entries.map((entry, index) => ({ ...entry, jobId, seq: first + index })));
    return true;
  }

  /** Up to `limit + 1` entries after `after`, by seq (`job_logs_pkey`, or `job_logs_job_id_level_seq_idx` for a level). */
  async listLogs(jobId: string, after: number, limit: number, level?: JobLogLevel): Promise<JobLog[]> {
    const query = this.manager
      .getRepository(JobLog)
      .createQueryBuilder('l')
      .where('l.job_id = :jobId', { jobId })
      .andWhere('l.seq > :after', { after })
      .orderBy('l.seq', 'ASC')
      .limit(limit + 1);
    if (level !== undefined) query.andWhere('l.level = :level', { level });
    return query.getMany();
  }

  /**
   * The job's status and up to `limit` entries after `after`, by seq (`jobs_pkey`, `job_logs_pkey`); null when
   * there is no such job. One statement, so a finished status comes with every entry its transaction wrote.
   */
  async logsSince(jobId: string, after: number, limit: number): Promise<LogsSince | null> {
    const t = queueTables(this.manager);
    const rows = await this.manager.query<Array<{ status: JobStatus } & Partial<JobLog>>>(
      `SELECT j."status", l."seq", l."level", l."message", l."data", l."timestamp"
         FROM ${t.jobs} AS j
         LEFT JOIN LATERAL (
           SELECT "seq", "level", "message", "data", "timestamp" FROM ${t.jobLogs}
            WHERE "job_id" = j."id" AND "seq" > $2 ORDER BY "seq" LIMIT $3
         ) AS l ON true
        WHERE j."id" = $1
        ORDER BY l."seq"`,
      [jobId, after, limit],
    );
    if (rows.length === 0) return null;
    const entries = rows.flatMap(({ seq, level, message, data, timestamp }) =>
      seq == null ? [] : [{ jobId, seq, level: level!, message: message!, data: data ?? null, timestamp: timestamp! }],
    );
    return { status: rows[0].status, entries };
  }

  /**
   * Writes entries whose seqs the caller reserved, as one statement (`job_logs_pkey` rejects a seq twice), and
   * tells every instance's log streams (a NOTIFY delivered when the transaction commits). Every change of a job
   * to a finished status writes its entry here, so the same notice tells streams that the job finished.
   */
  async insertLogs(entries: NumberedLogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const rows = entries.map((e) => ({
      job_id: e.jobId,
      seq: e.seq,
      level: e.level,
      message: e.message,
      data: e.data ?? null,
      timestamp: e.timestamp === undefined ? null : new Date(e.timestamp).toISOString(),
    }));
    await this.manager.query(
      `INSERT INTO ${queueTables(this.manager).jobLogs} ("job_id", "seq", "level", "message", "data", "timestamp")
       SELECT e."job_id", e."seq", e."level", e."message", e."data", coalesce(e."timestamp", now())
         FROM jsonb_to_recordset($1::jsonb)
           AS e("job_id" uuid, "seq" integer, "level" text, "message" text, "data" jsonb, "timestamp" timestamptz)`,
      [JSON.stringify(rows)],
    );
    await this.notify(entries);
  }

  /** The notifications telling every instance's log streams of these entries (`[channel, payload]`). */
  notices(entries: Array<{ jobId: string; seq: number }>): Array<[string, string]> {
    const schema = this.manager.connection.getMetadata(JobLog).schema ?? '';
    return jobLogNotices(schema, entries).map((payload) => [JOB_LOGS_CHANNEL, payload]);
  }

  /** Sends `notices(entries)`, in one statement (no table; in a transaction, delivered when it commits). */
  async notify(entries: Array<{ jobId: string; seq: number }>): Promise<void> {
    const payloads = this.notices(entries).map(([, payload]) => payload);
    if (payloads.length === 0) return;
    await this.manager.query('SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p', [JOB_LOGS_CHANNEL, payloads]);
  }
}
