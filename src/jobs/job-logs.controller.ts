import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/api-error-responses.decorator';
import { ApiIdParam } from '../common/api-id-param.decorator';
import { parseId } from '../common/parse-id.pipe';
import { Page } from '../common/pagination';
import { TenantRoute } from '../tenancy/auth/tenant-route.decorator';
import {
  AppendedJobLogsDto,
  AppendJobLogsDto,
  JobLogDto,
  JobLogPageDto,
  ListJobLogsQueryDto,
  toJobLogDto,
} from './dto/job-log.dto';
import { JOB_NOT_FOUND } from './job-api-errors';
import { JobLogsService } from './job-logs.service';
import { RequireScope } from '../tenancy/auth/require-scope.decorator';

export const JOB_LOGS_TAG = {
  name: 'job logs',
  description:
    "A job's append-only log, ordered by `seq`. The server appends its own entries for every state change of the job " +
    '(claimed, completed, failed, retried, cancelled, lease expired).',
};

const uuid = parseId();

@ApiTags(JOB_LOGS_TAG.name)
@TenantRoute()
@ApiIdParam('The job')
@Controller('jobs/:id/logs')
export class JobLogsController {
  constructor(private readonly logs: JobLogsService) {}

  @ApiOperation({
    summary: 'Append log entries to a job, all of them or none',
    description: 'Each entry gets the next `seq` in order; a batch with one bad entry writes nothing.',
  })
  @ApiResponse({ status: 201, description: 'How many entries were written', type: AppendedJobLogsDto })
  @ApiErrorResponses(400, JOB_NOT_FOUND, 413)
  @RequireScope('write', 'worker')
  @Post()
  async append(@Param('id', uuid) id: string, @Body() body: AppendJobLogsDto): Promise<AppendedJobLogsDto> {
    return { count: await this.logs.append(id, body.entries) };
  }

  @ApiOperation({
    summary: "A job's log, oldest first by seq",
    description:
      'Entries with a `seq` greater than `after` (or `cursor`, the same thing under the name every list uses; give at most one ' +
      'of them, default 0). `nextCursor` is the last `seq` of the page when more entries follow, to pass as `after` or `cursor`; ' +
      'to follow a running job, poll with the last `seq` you have.',
  })
  @ApiResponse({ status: 200, description: 'One page of entries', type: JobLogPageDto })
  @ApiErrorResponses({ status: 400, message: 'Pass either after or cursor, not both' }, JOB_NOT_FOUND)
  @RequireScope('read', 'worker')
  @Get()
  async list(@Param('id', uuid) id: string, @Query() query: ListJobLogsQueryDto): Promise<Page<JobLogDto>> {
    const page = await this.logs.list(id, query);
    return { items: page.items.map(toJobLogDto), nextCursor: page.nextCursor };
  }
}
