import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PeriodicTask } from '../../common/periodic-task';
import { EnvironmentVariables } from '../../config/environment-variables';
import { TenantDeletionService } from './tenant-deletion.service';

/**
 * Purges deleted tenants once their retention has passed, every TENANT_PURGE_INTERVAL_SECONDS (0 = never; the
 * CLI's `purge --due` then). Every instance runs it; the purge lock lets one of them do the work at a time.
 */
@Injectable()
export class TenantPurgeTimer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TenantPurgeTimer.name);
  private readonly loop = new PeriodicTask(() => this.tick());

  constructor(
    private readonly config: EnvironmentVariables,
    private readonly deletion: TenantDeletionService,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.TENANT_PURGE_INTERVAL_SECONDS === 0) return;
    this.loop.start(this.config.TENANT_PURGE_INTERVAL_SECONDS * 1000);
  }

  onApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  async tick(): Promise<void> {
    try {
      const { purged, failed } = await this.deletion.purgeDue({ wait: false });
      for (const tenant of purged) this.logger.log(`purged deleted tenant ${tenant.slug} (${tenant.id})`);
      for (const failure of failed) this.logger.warn(`purge of tenant ${failure.tenantId} failed: ${failure.message}`);
    } catch (error) {
      this.logger.warn(`tenant purge failed: ${(error as Error).message}`);
    }
  }
}
