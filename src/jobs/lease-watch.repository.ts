import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JOB_LEASE_WATCH, TenantWatchTable } from '../database/tenant-watch-table';

export type { WatchedTenant } from '../database/tenant-watch-table';

/**
 * `shared.job_lease_watch`: which tenants may hold running jobs and when the earliest lease ends, so the
 * sweeper reads one small table per tick. A claim watches its tenant; a sweep moves on to the next lease end.
 */
@Injectable()
export class LeaseWatchRepository extends TenantWatchTable {
  constructor(shared: DataSource) {
    super(shared, JOB_LEASE_WATCH);
  }
}
