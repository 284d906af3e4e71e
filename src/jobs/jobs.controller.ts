import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ErrorDto } from '../common/error.dto';
import { parseId } from '../common/parse-id.pipe';
import { DEFAULT_PAGE_SIZE, Page } from '../common/pagination';
import { TenantRoute } from '../tenancy/auth/tenant-route.decorator';
import { CreateJobDto } from './dto/create-job.dto';
import { JobDto, JobPageDto, ListJobsQueryDto, toJobDto } from './dto/job.dto';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_MAX, IdempotencyKey } from './idempotency-key.decorator';
import { JobsService } from './jobs.service';

const uuid = parseId();
const ID_PARAM = { name: 'id', format: 'uuid' };

@ApiTags('jobs')
@TenantRoute()
@ApiResponse({ status: 400, description: 'Invalid input (body, query, header, id or cursor)', type: ErrorDto })
@Controller('jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @ApiOperation({ summary: 'Queue a job (idempotent with an Idempotency-Key)' })
  @ApiHeader({
    name: IDEMPOTENCY_KEY_HEADER,
    required: false,
    description: `1–${IDEMPOTENCY_KEY_MAX} characters. A retry with the same key and body returns the first job (200); the same key with another body is a 409.`,
    schema: { type: 'string', minLength: 1, maxLength: IDEMPOTENCY_KEY_MAX },
  })
  @ApiResponse({ status: 201, description: 'Created', type: JobDto })
  @ApiResponse({
    status: 200,
    description: 'Replay of an Idempotency-Key: the job created the first time',
    type: JobDto,
  })
  @ApiResponse({ status: 404, description: 'No such target, or the session is not one of the target', type: ErrorDto })
  @ApiResponse({ status: 409, description: 'Idempotency-Key used before with a different body', type: ErrorDto })
  @ApiResponse({ status: 413, description: 'Body over 1 MiB', type: ErrorDto })
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

  @ApiOperation({ summary: 'List jobs, newest first, optionally by status, target, session and type' })
  @ApiResponse({ status: 200, type: JobPageDto })
  @Get()
  async list(@Query() query: ListJobsQueryDto): Promise<Page<JobDto>> {
    const page = await this.jobs.list({ ...query, limit: query.limit ?? DEFAULT_PAGE_SIZE });
    return { items: page.items.map(toJobDto), nextCursor: page.nextCursor };
  }

  @ApiOperation({ summary: 'One job' })
  @ApiResponse({ status: 200, type: JobDto })
  @ApiResponse({ status: 404, description: 'No such job', type: ErrorDto })
  @ApiParam(ID_PARAM)
  @Get(':id')
  async get(@Param('id', uuid) id: string): Promise<JobDto> {
    return toJobDto(await this.jobs.get(id));
  }

  @ApiOperation({ summary: 'Cancel a queued or running job' })
  @ApiResponse({ status: 200, type: JobDto })
  @ApiResponse({ status: 404, description: 'No such job', type: ErrorDto })
  @ApiResponse({ status: 409, description: 'The job has already finished', type: ErrorDto })
  @HttpCode(200)
  @ApiParam(ID_PARAM)
  @Post(':id/cancel')
  async cancel(@Param('id', uuid) id: string): Promise<JobDto> {
    return toJobDto(await this.jobs.cancel(id));
  }
}
