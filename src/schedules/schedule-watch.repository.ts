import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SCHEDULE_WATCH, TenantWatchTable } from '../database/tenant-watch-table';

export type { WatchedTenant } from '../database/tenant-watch-table';

/**
 * `shared.schedule_watch`: which tenants have enabled schedules and when their earliest one is due, so the
 * scheduler reads one small table per tick. A deactivated or deleted tenant's schedules wait; once active (or
 * restored), each queues its one missed occurrence.
 */
@Injectable()
export class ScheduleWatchRepository extends TenantWatchTable {
  constructor(shared: DataSource) {
    super(shared, SCHEDULE_WATCH);
  }
}
