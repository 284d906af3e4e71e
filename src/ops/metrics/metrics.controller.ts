import { Controller, Get, NotFoundException, Res, UseGuards } from '@nestjs/common';
import type { Response } from 'express';
import { ApiOperation, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { register } from 'prom-client';
import { ADMIN_KEY_SCHEME } from '../../admin/tenants-admin.controller';
import { AdminKeyGuard } from '../../admin/admin-key.guard';
import { ApiErrorResponses } from '../../common/api-error-responses.decorator';
import { OPERATIONS_TAG } from '../operations-tag';
import { EnvironmentVariables } from '../../config/environment-variables';

const SAMPLE = [
  '# HELP tenantry_auth_verifications_total API key verifications by outcome',
  '# TYPE tenantry_auth_verifications_total counter',
  'tenantry_auth_verifications_total{outcome="cache_hit"} 1523',
  'tenantry_auth_verifications_total{outcome="pbkdf2_ok"} 12',
].join('\n');

@ApiTags(OPERATIONS_TAG.name)
@ApiSecurity(ADMIN_KEY_SCHEME)
@Controller('metrics')
export class MetricsController {
  constructor(private readonly config: EnvironmentVariables) {}

  @ApiOperation({
    summary: 'Prometheus metrics',
    description:
      'The Prometheus text format: request durations by route, API key verifications, the tenant pool and DataSources, ' +
      'schemas by migration state, the job queue, process metrics. Needs `X-Admin-Key` (without `ADMIN_API_KEY` the ' +
      'route does not exist); with `METRICS_PORT` set, a separate listener on that port serves it without a key.',
  })
  @ApiResponse({ status: 200, description: 'The metrics', content: { 'text/plain': { schema: { type: 'string', example: SAMPLE } } } })
  @ApiErrorResponses(
    { status: 401, description: 'Missing or wrong admin key', message: 'Invalid admin key' },
    { status: 404, description: 'The server has no `ADMIN_API_KEY`, or runs with `METRICS_ENABLED=false`' },
    { status: 429, description: 'Too many wrong admin keys from this client; retry after `Retry-After` seconds', message: 'Too many failed authentication attempts' },
  )
  @UseGuards(AdminKeyGuard)
  @Get()
  scrape(@Res({ passthrough: true }) res: Response): Promise<string> {
    if (!this.config.METRICS_ENABLED) throw new NotFoundException('Metrics are off (METRICS_ENABLED=false)');
    res.type(register.contentType);
    return register.metrics();
  }
}
