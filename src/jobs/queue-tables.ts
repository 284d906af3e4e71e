import type { EntityManager } from 'typeorm';
import { columnsOf, tableOf } from '../database/table-sql';
import { Session } from '../sessions/session.entity';
import { Target } from '../targets/target.entity';
import { JobLog } from './job-log.entity';
import { Job } from './job.entity';

/** The job queue's table names and job columns for one tenant DataSource, from its entity metadata. */
export interface QueueTables {
  jobs: string;
  jobLogs: string;
  targets: string;
  sessions: string;
  /** Every job column, `"col" AS "property"`, unqualified and qualified by the alias `j`. */
  jobColumns: string;
  jobColumnsOfJ: string;
}

const byDataSource = new WeakMap<object, QueueTables>();

/** Computed once per DataSource: its metadata is fixed for its life. */
export function queueTables(manager: EntityManager): QueueTables {
  let tables = byDataSource.get(manager.connection);
  if (!tables) {
    tables = {
      jobs: tableOf(manager, Job),
      jobLogs: tableOf(manager, JobLog),
      targets: tableOf(manager, Target),
      sessions: tableOf(manager, Session),
      jobColumns: columnsOf(manager, Job),
      jobColumnsOfJ: columnsOf(manager, Job, 'j'),
    };
    byDataSource.set(manager.connection, tables);
  }
  return tables;
}
