import { Injectable } from '@nestjs/common';
import { InvalidInputError } from '../common/domain-errors';
import { JobNotFoundError } from './jobs.errors';
import { DEFAULT_PAGE_SIZE, Page } from '../common/pagination';
import { TenantDatabase } from '../tenancy/tenant-database.service';
import { JobLogRepository, LogEntry } from './job-log.repository';
import { JobLog, JobLogLevel } from './job-log.entity';
import { Job } from './job.entity';

export interface ListJobLogsOptions {
  /** Only entries with a greater seq; `cursor` (a previous `nextCursor`) is the same thing under the list-wide name. */
  after?: number;
  cursor?: number;
  limit?: number;
  level?: JobLogLevel;
}

/**
 * Job logs are numbered per job, 1, 2, 3 … with no gaps, and an append is all of its entries or none: the
 * numbers are reserved in the transaction that writes them, so a rolled-back batch rolls its numbers back too.
 */
@Injectable()
export class JobLogsService {
  constructor(private readonly db: TenantDatabase) {}

  async append(jobId: string, entries: LogEntry[]): Promise<number> {
    return this.db.transaction(async (manager) => {
      if (!(await new JobLogRepository(manager).appendLogs(jobId, entries))) throw new JobNotFoundError();
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
    const rows = await new JobLogRepository(dataSource.manager).listLogs(jobId, after, limit, options.level);
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? String(items[items.length - 1].seq) : null };
  }
}
