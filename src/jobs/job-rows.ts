import type { EntityManager } from 'typeorm';
import { JobNotFoundError } from './jobs.errors';
import { columnsOf, tableOf } from '../database/table-sql';
import { Job } from './job.entity';
import type { JsonObject } from '../common/json';

export interface LockedJob {
  job: Job;
  /** `lease_expires_at > now()` by the database clock, the one every instance shares. */
  leaseLive: boolean;
}

/** The job row `FOR UPDATE` (state changes of one job are serialized on it), or 404. */
export async function lockJob(manager: EntityManager, id: string): Promise<LockedJob> {
  const rows = await manager.query<Array<Job & { leaseLive: boolean | null }>>(
    `SELECT ${columnsOf(manager, Job)}, "lease_expires_at" > now() AS "leaseLive"
       FROM ${tableOf(manager, Job)} WHERE "id" = $1 FOR UPDATE`,
    [id],
  );
  if (rows.length === 0) throw new JobNotFoundError();
  const { leaseLive, ...job } = rows[0];
  return { job: job as Job, leaseLive: leaseLive === true };
}

/**
 * `UPDATE … SET <assignments>` on one job, returning the new row. A state change also takes the next log
 * `seq` (returned in `logSeq`) for the server's log entry about it. Parameters `$2…` are `params`.
 */
export async function updateJob(
  manager: EntityManager,
  id: string,
  assignments: string,
  params: unknown[],
  options: { stateChange: boolean } = { stateChange: true },
): Promise<Job> {
  const logSeq = options.stateChange ? `, "log_seq" = "log_seq" + 1` : '';
  const [rows] = await manager.query<[Job[], number]>(
    `UPDATE ${tableOf(manager, Job)} SET ${assignments}, "updated_at" = now()${logSeq}
      WHERE "id" = $1 RETURNING ${columnsOf(manager, Job)}`,
    [id, ...params],
  );
  if (rows.length === 0) throw new JobNotFoundError();
  return rows[0];
}

/** Parameter for a jsonb column. */
export function jsonParam(value: JsonObject | null | undefined): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}
