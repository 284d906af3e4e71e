import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ErrorDto } from '../common/error.dto';
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
import { JobLogsService } from './job-logs.service';

const uuid = parseId();

@ApiTags('job logs')
@TenantRoute()
@ApiResponse({ status: 400, description: 'Invalid input (body, query or id)', type: ErrorDto })
@ApiResponse({ status: 404, description: 'No such job', type: ErrorDto })
@ApiParam({ name: 'id', format: 'uuid', description: 'The job' })
@Controller('jobs/:id/logs')
export class JobLogsController {
  constructor(private readonly logs: JobLogsService) {}

  @ApiOperation({ summary: 'Append log entries to a job, all of them or none' })
  @ApiResponse({ status: 201, type: AppendedJobLogsDto })
  @ApiResponse({ status: 413, description: 'Body over 1 MiB', type: ErrorDto })
  @Post()
  async append(@Param('id', uuid) id: string, @Body() body: AppendJobLogsDto): Promise<AppendedJobLogsDto> {
    return { count: await this.logs.append(id, body.entries) };
  }

  @ApiOperation({ summary: "A job's log, oldest first by seq" })
  @ApiResponse({ status: 200, type: JobLogPageDto })
  @Get()
  async list(@Param('id', uuid) id: string, @Query() query: ListJobLogsQueryDto): Promise<Page<JobLogDto>> {
    const page = await this.logs.list(id, query);
    return { items: page.items.map(toJobLogDto), nextCursor: page.nextCursor };
  }
}
