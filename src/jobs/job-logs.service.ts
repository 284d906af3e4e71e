import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { InvalidInputError } from '../common/domain-errors';
import { JobNotFoundError } from './jobs.errors';
import { DEFAULT_PAGE_SIZE, Page } from '../common/pagination';
import { tableOf } from '../database/table-sql';
import { TenantDatabase } from '../tenancy/tenant-database.service';
import { JobLog, JobLogLevel } from './job-log.entity';
import { Job } from './job.entity';
import type { JsonObject } from '../common/json';

export interface LogEntry {
  level: JobLogLevel;
  message: string;
  data?: JsonObject | null;
  /** ISO 8601; the database clock when absent. */
  timestamp?: string;
}

/** A server entry for a state change, numbered with the `log_seq` its job row was just bumped to. */
export interface ServerLogEntry extends LogEntry {
  jobId: string;
  seq: number;
}

export interface ListJobLogsOptions {
  /** Only entries with a greater seq; `cursor` (a previous `nextCursor`) is the same thing under the list-wide name. */
  after?: number;
  cursor?: number;
  limit?: number;
  level?: JobLogLevel;
}

/**
 * Job logs are numbered per job, 1, 2, 3 … with no gaps: an append bumps `jobs.log_seq` by the batch size
 * in the same transaction as the insert. The row lock of that UPDATE serializes appenders of one job, and a
 * rolled-back batch rolls its numbers back too.
 */
@Injectable()
export class JobLogsService {
  constructor(private readonly db: TenantDatabase) {}

  async append(jobId: string, entries: LogEntry[]): Promise<number> {
    return this.db.transaction(async (manager) => {
      const [rows] = await manager.query<[Array<{ logSeq: number }>, number]>(
        `UPDATE ${tableOf(manager, Job)} SET "log_seq" = "log_seq" + $2 WHERE "id" = $1 RETURNING "log_seq" AS "logSeq"`,
        [jobId, entries.length],
      );
      if (rows.length === 0) throw new JobNotFoundError();
      const first = rows[0].logSeq - entries.length + 1;
      await this.insert(
        manager,
        entries.map((entry, index) => ({ ...entry, jobId, seq: first + index })),
      );
      return entries.length;
    });
  }

  async list(jobId: string, options: ListJobLogsOptions): Promise<Page<JobLog>> {
    if (options.after !== undefined && options.cursor !== undefined) {
      throw new InvalidInputError('Pass either after or cursor, not both');
    }
    const after = options.after ?? options.cursor ?? 0;
    const limit = options.limit ?? DEFAULT_PAGE_SIZE;
    const dataSource = await this.db.dataSource();
    if (!(await dataSource.getRepository(Job).existsBy({ id: jobId }))) throw new JobNotFoundError();
    const query = dataSource
      .getRepository(JobLog)
      .createQueryBuilder('l')
      .where('l.job_id = :jobId', { jobId })
      .andWhere('l.seq > :after', { after })
      .orderBy('l.seq', 'ASC')
      .limit(limit + 1);
    if (options.level !== undefined) query.andWhere('l.level = :level', { level: options.level });
    const rows = await query.getMany();
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? String(items[items.length - 1].seq) : null };
  }

  /** Writes entries whose seqs the caller reserved, in its transaction, as one statement. */
  async insert(manager: EntityManager, entries: ServerLogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const rows = entries.map((e) => ({
      job_id: e.jobId,
      seq: e.seq,
      level: e.level,
      message: e.message,
      data: e.data ?? null,
      timestamp: e.timestamp === undefined ? null : new Date(e.timestamp).toISOString(),
    }));
    await manager.query(
      `INSERT INTO ${tableOf(manager, JobLog)} ("job_id", "seq", "level", "message", "data", "timestamp")
       SELECT e."job_id", e."seq", e."level", e."message", e."data", coalesce(e."timestamp", now())
         FROM jsonb_to_recordset($1::jsonb)
           AS e("job_id" uuid, "seq" integer, "level" text, "message" text, "data" jsonb, "timestamp" timestamptz)`,
      [JSON.stringify(rows)],
    );
  }
}
