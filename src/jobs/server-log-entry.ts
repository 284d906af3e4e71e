import type { NumberedLogEntry } from './job-log.repository';
import type { Job } from './job.entity';
import type { JsonObject } from '../common/json';

/** The server's log entry about a state change of `job`, numbered with the `log_seq` that change just took. */
export function serverLogEntry(
  job: Pick<Job, 'id' | 'logSeq'>,
  level: NumberedLogEntry['level'],
  message: string,
  data: JsonObject,
): NumberedLogEntry {
  return { jobId: job.id, seq: job.logSeq, level, message, data };
}
