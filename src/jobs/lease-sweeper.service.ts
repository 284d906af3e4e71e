import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PeriodicTask } from '../common/periodic-task';
import { EnvironmentVariables } from '../config/environment-variables';
import { TenantConnectionProvider } from '../database/tenant-connections/tenant-connection.provider';
import { JobQueueRepository } from './job-queue.repository';
import { LeaseExpiryService } from './lease-expiry.service';
import { LeaseWatchRepository, WatchedTenant } from './lease-watch.repository';

/** Tenants and expired leases handled per tick; the rest wait for the next tick. */
const TENANTS_PER_TICK = 100;
const LEASES_PER_TENANT = 500;

/**
 * Requeues or fails jobs whose worker died, in every tenant, without a claim in that tenant: each tick reads
 * `shared.job_lease_watch` for the tenants whose earliest lease has ended (one query, however many tenant
 * schemas there are), and sweeps each of them in one transaction of its own schema under an advisory lock,
 * so of several instances one does each tenant. A tick first writes the watch rows that failed after a claim of
 * this instance had committed (`retryLater`).
 */
@Injectable()
export class LeaseSweeperService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LeaseSweeperService.name);
  private readonly loop = new PeriodicTask(() => this.tick());

  constructor(
    private readonly config: EnvironmentVariables,
    private readonly watch: LeaseWatchRepository,
    private readonly connections: TenantConnectionProvider,
    private readonly leases: LeaseExpiryService,
  ) {}

  onApplicationBootstrap(): void {
    this.loop.start(this.config.JOB_SWEEP_INTERVAL_SECONDS * 1000);
  }

  onApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  /** One sweep of every tenant due for a check; a tenant's failure is logged and does not stop the others. */
  async tick(): Promise<void> {
    for (const error of await this.watch.retryFailed()) this.logger.warn(`lease watch still not written after a claim: ${error.message}`);
    try {
      for (const watched of await this.watch.due(TENANTS_PER_TICK)) {
        await this.sweep(watched).catch((error: Error) =>
          this.logger.warn(`lease sweep of tenant ${watched.tenantId} failed: ${error.message}`),
        );
      }
    } catch (error) {
      this.logger.warn(`lease sweep failed: ${(error as Error).message}`);
    }
  }

  private async sweep(watched: WatchedTenant): Promise<void> {
    const lease = await this.connections.acquire(watched.schemaName);
    try {
      const outcome = await lease.dataSource.transaction(async (manager) => {
        const queue = new JobQueueRepository(manager);
        if (!(await queue.tryLock(`sweep:${watched.tenantId}`))) return 'skipped' as const;
        const expired = await this.leases.expire(queue, watched.tenantId, LEASES_PER_TENANT);
        // A full batch leaves more for the next tick at once.
        return expired === LEASES_PER_TENANT ? new Date() : await queue.earliestLeaseEnd();
      });
      if (outcome !== 'skipped') await this.watch.moveOn(watched, outcome);
    } finally {
      lease.release();
    }
  }
}
