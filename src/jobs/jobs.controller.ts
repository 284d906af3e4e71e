import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiErrorResponses } from '../common/api-error-responses.decorator';
import { ApiIdParam } from '../common/api-id-param.decorator';
import { parseId } from '../common/parse-id.pipe';
import { DEFAULT_PAGE_SIZE, Page } from '../common/pagination';
import { TenantRoute } from '../tenancy/auth/tenant-route.decorator';
import { CreateJobBatchDto, CreateJobDto } from './dto/create-job.dto';
import { JobDto, JobListDto, JobPageDto, ListJobsQueryDto, toJobDto } from './dto/job.dto';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_MAX, IdempotencyKey } from './idempotency-key.decorator';
import { BAD_JOB_ID, JOB_NOT_FOUND } from './job-api-errors';
import { JobsService } from './jobs.service';
import { RequireScope } from '../tenancy/auth/require-scope.decorator';
import { NoBody } from '../common/no-body.decorator';

export const JOBS_TAG = {
  name: 'jobs',
  description:
    'Units of work against a target, queued here and pulled by workers that hold the tenant key (see **jobs (worker protocol)**). ' +
    'A job is `queued` until a worker claims it, `running` under that worker\'s lease, then `succeeded`, `failed` or `cancelled`.',
};

const uuid = parseId();
const ID = 'The job';

@ApiTags(JOBS_TAG.name)
@TenantRoute()
@Controller('jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @ApiOperation({
    summary: 'Queue a job (idempotent with an Idempotency-Key)',
    description:
      'The job is `queued` and becomes due at `runAt` (default: now). `sessionId`, when given, must be a session of `targetId`. ' +
      'With an `Idempotency-Key`, a retry with the same key and body answers the job created the first time (`200`).',
  })
  @ApiHeader({
    name: IDEMPOTENCY_KEY_HEADER,
    required: false,
    description: `1–${IDEMPOTENCY_KEY_MAX} characters. A retry with the same key and body returns the first job (200); the same key with another body is a 409.`,
    schema: { type: 'string', minLength: 1, maxLength: IDEMPOTENCY_KEY_MAX },
  })
  @ApiResponse({ status: 201, description: 'Created', type: JobDto })
  @ApiResponse({ status: 200, description: 'Replay of an Idempotency-Key: the job created the first time', type: JobDto })
  @ApiErrorResponses(
    400,
    { status: 404, description: 'No such target, or the session is not one of the target', message: 'Target not found' },
    {
      status: 409,
      description: 'Idempotency-Key used before with a different body',
      message: 'Idempotency-Key was already used with a different request body',
    },
    413,
  )
  @RequireScope('write')
  @Post()
  async create(
    @Body() body: CreateJobDto,
    @IdempotencyKey() idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<JobDto> {
    const { job, created } = await this.jobs.create(body, idempotencyKey);
    res.status(created ? 201 : 200);
    return toJobDto(job);
  }

  @ApiOperation({
    summary: 'Queue 1–1000 jobs, all of them or none',
    description: 'A validation error names the item by its 0-based index (`jobs.3.type …`); so does a missing target or session, and then nothing is created.',
  })
  @ApiResponse({ status: 201, description: 'Created, in the order given', type: JobListDto })
  @ApiErrorResponses(
    { status: 400, message: ['jobs.3.type must be longer than or equal to 1 characters'] },
    { status: 404, description: 'An item names a missing target, or a session not of its target', message: 'jobs.2.targetId: Target not found' },
    413,
  )
  @RequireScope('write')
  @Post('batch')
  async createBatch(@Body() body: CreateJobBatchDto): Promise<JobListDto> {
    return { items: (await this.jobs.createBatch(body.jobs)).map(toJobDto) };
  }

  @ApiOperation({
    summary: 'List jobs, newest first, optionally by status, target, session and type',
    description: 'Keyset pagination: pass `nextCursor` as `cursor` for the next page.',
  })
  @ApiResponse({ status: 200, description: 'One page of jobs', type: JobPageDto })
  @ApiErrorResponses({ status: 400, message: 'cursor is invalid' })
  @RequireScope('read', 'worker')
  @Get()
  async list(@Query() query: ListJobsQueryDto): Promise<Page<JobDto>> {
    const page = await this.jobs.list({ ...query, limit: query.limit ?? DEFAULT_PAGE_SIZE });
    return { items: page.items.map(toJobDto), nextCursor: page.nextCursor };
  }

  @ApiOperation({ summary: 'One job', description: 'A job of another tenant is a `404`, like one that does not exist.' })
  @ApiResponse({ status: 200, description: 'The job', type: JobDto })
  @ApiErrorResponses(BAD_JOB_ID, JOB_NOT_FOUND)
  @ApiIdParam(ID)
  @RequireScope('read', 'worker')
  @Get(':id')
  async get(@Param('id', uuid) id: string): Promise<JobDto> {
    return toJobDto(await this.jobs.get(id));
  }

  @ApiOperation({
    summary: 'Cancel a queued or running job',
    description: 'A running job\'s worker then gets `409` on its next heartbeat, complete or fail.',
  })
  @ApiResponse({ status: 200, description: 'The job, `cancelled`', type: JobDto })
  @ApiErrorResponses(
    BAD_JOB_ID,
    JOB_NOT_FOUND,
    { status: 409, description: 'The job has already finished', message: 'Job is already succeeded' },
  )
  @HttpCode(200)
  @ApiIdParam(ID)
  @RequireScope('write')
  @Post(':id/cancel')
  @NoBody()
  async cancel(@Param('id', uuid) id: string): Promise<JobDto> {
    return toJobDto(await this.jobs.cancel(id));
  }

  @ApiOperation({
    summary: 'Queue a failed or cancelled job again',
    description: 'The job is `queued`, due now, with `attempts` 0 and `error`, `result` and `progress` cleared.',
  })
  @ApiResponse({ status: 200, description: 'The job, `queued`', type: JobDto })
  @ApiErrorResponses(
    BAD_JOB_ID,
    JOB_NOT_FOUND,
    { status: 409, description: 'The job is not failed or cancelled', message: 'Job is queued; only failed or cancelled jobs can be retried' },
  )
  @HttpCode(200)
  @ApiIdParam(ID)
  @RequireScope('write')
  @Post(':id/retry')
  @NoBody()
  async retry(@Param('id', uuid) id: string): Promise<JobDto> {
    return toJobDto(await this.jobs.retry(id));
  }
}
