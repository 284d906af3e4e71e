import { Module } from '@nestjs/common';
import { TenancyModule } from '../tenancy/tenancy.module';
import { JobLogStreamController } from './job-log-stream.controller';
import { JobLogsController } from './job-logs.controller';
import { JobLogStreamsService } from './job-log-streams.service';
import { JobLogsService } from './job-logs.service';
import { JobWorkerController } from './job-worker.controller';
import { JobWakeupsService } from './job-wakeups.service';
import { JobWorkerService } from './job-worker.service';
import { JobsController } from './jobs.controller';
import { LeaseExpiryService } from './lease-expiry.service';
import { LeaseSweeperService } from './lease-sweeper.service';
import { LeaseWatchRepository } from './lease-watch.repository';
import { JobsService } from './jobs.service';

@Module({
  imports: [TenancyModule],
  controllers: [JobWorkerController, JobsController, JobLogsController, JobLogStreamController],
  providers: [
    JobsService,
    JobWorkerService,
    JobLogsService,
    JobLogStreamsService,
    JobWakeupsService,
    LeaseExpiryService,
    LeaseWatchRepository,
    LeaseSweeperService,
  ],
  exports: [JobsService, JobWorkerService, JobLogsService, JobWakeupsService],
})
export class JobsModule {}
