import { Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ErrorDto } from '../common/error.dto';
import { parseId } from '../common/parse-id.pipe';
import { TenantRoute } from '../tenancy/auth/tenant-route.decorator';
import { JobDto, toJobDto } from './dto/job.dto';
import { ClaimJobDto, CompleteJobDto, FailJobDto, HeartbeatJobDto } from './dto/worker.dto';
import { JobWorkerService } from './job-worker.service';

const uuid = parseId();
const ID_PARAM = { name: 'id', format: 'uuid' };
const NOT_HELD = 'The job is not running, or this worker does not hold its lease (or the lease expired)';

@ApiTags('jobs (worker protocol)')
@TenantRoute()
@ApiResponse({ status: 400, description: 'Invalid input (body or id)', type: ErrorDto })
@ApiResponse({ status: 413, description: 'Body over 1 MiB', type: ErrorDto })
@Controller('jobs')
export class JobWorkerController {
  constructor(private readonly worker: JobWorkerService) {}

  @ApiOperation({ summary: 'Take the next due job: highest priority, then earliest runAt' })
  @ApiResponse({ status: 200, description: 'The job, now running under this worker', type: JobDto })
  @ApiResponse({ status: 204, description: 'Nothing is due' })
  @HttpCode(200)
  @Post('claim')
  async claim(@Body() body: ClaimJobDto, @Res({ passthrough: true }) res: Response): Promise<JobDto | undefined> {
    const job = await this.worker.claim(body);
    if (!job) res.status(204);
    return job ? toJobDto(job) : undefined;
  }

  @ApiOperation({ summary: 'Extend the lease of a running job' })
  @ApiResponse({ status: 200, type: JobDto })
  @ApiResponse({ status: 404, description: 'No such job', type: ErrorDto })
  @ApiResponse({ status: 409, description: NOT_HELD, type: ErrorDto })
  @HttpCode(200)
  @ApiParam(ID_PARAM)
  @Post(':id/heartbeat')
  async heartbeat(@Param('id', uuid) id: string, @Body() body: HeartbeatJobDto): Promise<JobDto> {
    return toJobDto(await this.worker.heartbeat(id, body.workerId, body.leaseSeconds));
  }

  @ApiOperation({ summary: 'Finish a running job successfully' })
  @ApiResponse({ status: 200, type: JobDto })
  @ApiResponse({ status: 404, description: 'No such job', type: ErrorDto })
  @ApiResponse({ status: 409, description: NOT_HELD, type: ErrorDto })
  @HttpCode(200)
  @ApiParam(ID_PARAM)
  @Post(':id/complete')
  async complete(@Param('id', uuid) id: string, @Body() body: CompleteJobDto): Promise<JobDto> {
    return toJobDto(await this.worker.complete(id, body.workerId, body.result));
  }

  @ApiOperation({ summary: 'Report a failed attempt: retried after a delay while attempts remain, else failed' })
  @ApiResponse({ status: 200, type: JobDto })
  @ApiResponse({ status: 404, description: 'No such job', type: ErrorDto })
  @ApiResponse({ status: 409, description: NOT_HELD, type: ErrorDto })
  @HttpCode(200)
  @ApiParam(ID_PARAM)
  @Post(':id/fail')
  async fail(@Param('id', uuid) id: string, @Body() body: FailJobDto): Promise<JobDto> {
    return toJobDto(await this.worker.fail(id, body));
  }
}
