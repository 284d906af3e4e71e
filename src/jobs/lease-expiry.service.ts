import { Injectable } from '@nestjs/common';
import { JobQueueRepository } from './job-queue.repository';
import { jobMetrics } from './job-metrics';
import { JobWakeupsService } from './job-wakeups.service';
import { serverLogEntry } from './server-log-entry';

/**
 * The rule for a lease that ran out, shared by claims and the sweeper: the attempt counts as failed, the job
 * is queued again in its old place (its `run_at` is already past; the lease itself was the wait) or fails
 * when its attempts are used up; waiting claims hear of the requeued ones.
 */
@Injectable()
export class LeaseExpiryService {
  constructor(private readonly wakeups: JobWakeupsService) {}

  /** Up to `limit` expired leases of the tenant, in the caller's transaction; how many there were. */
  async expire(queue: JobQueueRepository, tenantId: string, limit: number): Promise<number> {
    const expired = await queue.expireLeases(limit);
    if (expired.length === 0) return 0;
    jobMetrics.leaseExpiries.inc(expired.length);
    const requeued = expired.filter((job) => job.status === 'queued');
    if (requeued.length) await this.wakeups.announce(queue, tenantId, requeued.map((job) => ({ type: job.type, in: 0 })));
    await queue.logs.insertLogs(
      expired.map((job) =>
        serverLogEntry(
          job,
          'warn',
          `lease of ${job.workerId} expired (attempt ${job.attempts} of ${job.maxAttempts}); ${job.status === 'queued' ? 'requeued' : 'job failed'}`,
          { event: 'lease_expired', workerId: job.workerId, attempt: job.attempts, status: job.status },
        ),
      ),
    );
    return expired.length;
  }
}
