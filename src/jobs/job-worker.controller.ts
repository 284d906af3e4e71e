import { Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOperation, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiErrorResponses } from '../common/api-error-responses.decorator';
import { ApiIdParam } from '../common/api-id-param.decorator';
import { parseId } from '../common/parse-id.pipe';
import { TenantRoute } from '../tenancy/auth/tenant-route.decorator';
import { JobDto, JobListDto, toJobDto } from './dto/job.dto';
import {
  ClaimJobDto,
  CompleteBatchResultDto,
  CompleteJobBatchDto,
  CompleteJobDto,
  FailJobDto,
  HeartbeatJobDto,
} from './dto/worker.dto';
import { JOB_NOT_FOUND } from './job-api-errors';
import { JobWorkerService } from './job-worker.service';
import { RequireScope } from '../tenancy/auth/require-scope.decorator';

const PROTOCOL = `How a worker runs jobs, with the tenant's key:

1. \`POST /jobs/claim\` with its \`workerId\` (and optionally \`types\` and \`leaseSeconds\`, 5–3600, default 60) takes the
   next due job: the highest \`priority\`, then the earliest \`runAt\`, among \`queued\` jobs with \`runAt\` ≤ now.
   The answer is the job, now \`running\` under a lease held by this \`workerId\` until \`leaseExpiresAt\`, with
   \`attempts\` counting this attempt; \`204\` when nothing is due (poll again later). Concurrent workers never
   get the same job.
2. While working, \`POST /jobs/{id}/heartbeat\` extends the lease (by \`leaseSeconds\` from now); it may append
   log entries with \`POST /jobs/{id}/logs\`.
3. At the end, \`POST /jobs/{id}/complete\` (\`succeeded\`, with an optional \`result\`), or \`POST /jobs/{id}/fail\`
   with an \`error\`: the job is queued again after \`retryDelaySeconds\` (default exponential backoff) while attempts
   remain and \`retryable\` is not \`false\`, else it is \`failed\`.

A lease that runs out abandons the attempt: the next claim in the tenant counts it as a failed attempt and queues
the job again (or fails it when its attempts are used up). Heartbeat, complete and fail answer \`409\` to a worker
that no longer holds the lease (expired, cancelled, finished, or claimed by another worker): it must drop the job.`;

export const JOB_WORKER_TAG = { name: 'jobs (worker protocol)', description: PROTOCOL };

const uuid = parseId();
const ID = 'The job, as claimed';
const NOT_HELD = {
  status: 409,
  description: 'The job is not running, or this worker does not hold its lease (or the lease expired): drop the job',
  message: 'This worker does not hold the lease of a running job',
} as const;

@ApiTags(JOB_WORKER_TAG.name)
@TenantRoute()
@Controller('jobs')
export class JobWorkerController {
  constructor(private readonly worker: JobWorkerService) {}

  @ApiOperation({
    summary: 'Take the next due job (or up to `limit`): highest priority, then earliest runAt',
    description: PROTOCOL,
  })
  @ApiExtraModels(JobListDto)
  @ApiResponse({
    status: 200,
    description: 'The job, now running under this worker; with `limit`, `{ items }` (possibly empty)',
    schema: { oneOf: [{ $ref: getSchemaPath(JobDto) }, { $ref: getSchemaPath(JobListDto) }] },
  })
  @ApiResponse({ status: 204, description: 'Nothing is due (without `limit`)' })
  @ApiErrorResponses(400, 413)
  @HttpCode(200)
  @RequireScope('worker')
  @Post('claim')
  async claim(
    @Body() body: ClaimJobDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<JobDto | JobListDto | undefined> {
    // The response closing before it was sent: the client left (a request's own 'close' only means its body was read).
    const left = new AbortController();
    const close = () => res.writableFinished || left.abort();
    res.once('close', close);
    const jobs = await this.worker.claimMany({ ...body, signal: left.signal }).finally(() => res.off('close', close));
    if (body.limit !== undefined) return { items: jobs.map(toJobDto) };
    if (jobs.length === 0) res.status(204);
    return jobs[0] && toJobDto(jobs[0]);
  }

  @ApiOperation({
    summary: 'Finish several running jobs successfully, each on its own',
    description: 'Each item is `succeeded`, `conflict` (not running, or its lease is another worker\'s or expired) or `not_found`.',
  })
  @ApiResponse({ status: 200, description: 'A status per item, in the order given', type: CompleteBatchResultDto })
  @ApiErrorResponses(400, 413)
  @HttpCode(200)
  @RequireScope('worker')
  @Post('complete-batch')
  async completeBatch(@Body() body: CompleteJobBatchDto): Promise<CompleteBatchResultDto> {
    return { items: await this.worker.completeMany(body.workerId, body.items) };
  }

  @ApiOperation({
    summary: 'Extend the lease of a running job',
    description: 'The lease then ends `leaseSeconds` (default 60) from now. Send it well before `leaseExpiresAt`.',
  })
  @ApiResponse({ status: 200, description: 'The job with its new `leaseExpiresAt`', type: JobDto })
  @ApiErrorResponses(400, JOB_NOT_FOUND, NOT_HELD, 413)
  @HttpCode(200)
  @ApiIdParam(ID)
  @RequireScope('worker')
  @Post(':id/heartbeat')
  async heartbeat(@Param('id', uuid) id: string, @Body() body: HeartbeatJobDto): Promise<JobDto> {
    return toJobDto(await this.worker.heartbeat(id, body.workerId, body.leaseSeconds, body.progress));
  }

  @ApiOperation({ summary: 'Finish a running job successfully', description: 'The job becomes `succeeded` with `result`.' })
  @ApiResponse({ status: 200, description: 'The job, `succeeded`', type: JobDto })
  @ApiErrorResponses(400, JOB_NOT_FOUND, NOT_HELD, 413)
  @HttpCode(200)
  @ApiIdParam(ID)
  @RequireScope('worker')
  @Post(':id/complete')
  async complete(@Param('id', uuid) id: string, @Body() body: CompleteJobDto): Promise<JobDto> {
    return toJobDto(await this.worker.complete(id, body.workerId, body.result));
  }

  @ApiOperation({
    summary: 'Report a failed attempt: retried after a delay while attempts remain, else failed',
    description:
      'Queued again with `runAt` = now + `retryDelaySeconds` (default exponential backoff) while `attempts` < `maxAttempts` ' +
      'and `retryable` is not `false`; otherwise `failed`. `error` is kept on the job.',
  })
  @ApiResponse({ status: 200, description: 'The job, `queued` again or `failed`', type: JobDto })
  @ApiErrorResponses(400, JOB_NOT_FOUND, NOT_HELD, 413)
  @HttpCode(200)
  @ApiIdParam(ID)
  @RequireScope('worker')
  @Post(':id/fail')
  async fail(@Param('id', uuid) id: string, @Body() body: FailJobDto): Promise<JobDto> {
    return toJobDto(await this.worker.fail(id, body));
  }
}
