import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { ApiErrorResponses } from '../common/api-error-responses.decorator';
import { DrainSignal } from '../common/drain-signal';
import { OPERATIONS_TAG } from '../ops/operations-tag';
import { ShuttingDownError } from '../ops/shutdown/shutdown.errors';
import { DatabaseUnavailableError } from '../database/database.errors';
import { LivenessDto, ReadinessDto } from './health.dto';

@ApiTags(OPERATIONS_TAG.name)
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly drain: DrainSignal,
  ) {}

  @ApiOperation({
    summary: 'Liveness: 200 while the process runs',
    description: 'Touches nothing else, so a database outage does not get the process restarted.',
  })
  @ApiResponse({ status: 200, description: 'The process runs', type: LivenessDto })
  @Get()
  live(): LivenessDto {
    return { status: 'ok' };
  }

  @ApiOperation({
    summary: 'Readiness: 200 when the database answers, else 503',
    description:
      'Runs `SELECT 1` on the shared pool: route traffic here only while it answers `200`. ' +
      'Answers `503` at once when the process begins to shut down (SIGTERM), before it stops listening.',
  })
  @ApiResponse({ status: 200, description: 'Ready', type: ReadinessDto })
  @ApiErrorResponses({
    status: 503,
    description: 'The database does not answer, or the process is shutting down; retry after `Retry-After` seconds',
  })
  @Get('ready')
  async ready(): Promise<ReadinessDto> {
    if (this.drain.draining) throw new ShuttingDownError();
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      throw new DatabaseUnavailableError(); // 503 with Retry-After, like every other database outage
    }
    return { status: 'ok', database: 'up' };
  }
}
