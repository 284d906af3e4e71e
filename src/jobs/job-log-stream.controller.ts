import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiErrorResponses } from '../common/api-error-responses.decorator';
import { ApiIdParam } from '../common/api-id-param.decorator';
import { parseId } from '../common/parse-id.pipe';
import { RequireScope } from '../tenancy/auth/require-scope.decorator';
import { TenantRoute } from '../tenancy/auth/tenant-route.decorator';
import { parseLastEventId, StreamJobLogsQueryDto } from './dto/job-log.dto';
import { JOB_NOT_FOUND } from './job-api-errors';
import { JobLogStreamsService } from './job-log-streams.service';
import { JOB_LOGS_TAG } from './job-logs.controller';
import { BadLastEventIdError } from './jobs.errors';

const SAMPLE = [
  'id: 1',
  'data: {"seq":1,"level":"info","message":"claimed by worker-7 (attempt 1 of 3)","data":{"event":"claimed"},"timestamp":"2030-01-01T00:00:00.000Z"}',
  '',
  ': keep-alive',
  '',
  'id: 2',
  'data: {"seq":2,"level":"info","message":"completed by worker-7 (attempt 1)","data":{"event":"completed"},"timestamp":"2030-01-01T00:00:05.000Z"}',
  '',
  'event: end',
  'data: {"status":"succeeded"}',
  '',
].join('\n');

const DESCRIPTION =
  'Server-sent events: first the entries after `Last-Event-ID` (the header a reconnecting `EventSource` sends; it wins ' +
  'over `after`) or `after` (default 0), then each new entry as any instance appends it. Each entry is an event with ' +
  '`id:` its `seq` and `data:` the JobLog as JSON (as in `GET /jobs/{id}/logs`). A comment line `: keep-alive` comes ' +
  'every `JOB_LOG_STREAM_KEEPALIVE_SECONDS` (default 15). Once the job has finished (`succeeded`, `failed` or ' +
  '`cancelled`) and every entry is sent, an `end` event (`data: {"status": …}`) follows and the server closes the ' +
  'stream: do not reconnect after it. A stream closed without `end` (the server draining, the tenant changed) is ' +
  'resumed with `Last-Event-ID`. One server keeps at most `JOB_LOG_STREAMS_PER_TENANT_MAX` (default 100) streams of a ' +
  'tenant and `JOB_LOG_STREAMS_MAX` (default 1000) in all open (`429` and `503` past them).';

const uuid = parseId();

@ApiTags(JOB_LOGS_TAG.name)
@TenantRoute()
@ApiIdParam('The job')
@Controller('jobs/:id/logs/stream')
export class JobLogStreamController {
  constructor(private readonly streams: JobLogStreamsService) {}

  @ApiOperation({ summary: "Follow a job's log as server-sent events until the job finishes", description: DESCRIPTION })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'The `seq` of the last entry received: only later ones are sent' })
  @ApiResponse({
    status: 200,
    description: 'An event stream of the entries, ended by an `end` event once the job has finished',
    content: { 'text/event-stream': { schema: { type: 'string', example: SAMPLE } } },
  })
  @ApiErrorResponses(
    { status: 400, message: 'Last-Event-ID must be an integer from 0 to 2147483647 (the seq of the last entry received)' },
    JOB_NOT_FOUND,
    {
      status: 429,
      description: 'The tenant has `JOB_LOG_STREAMS_PER_TENANT_MAX` streams open on this server; retry after `Retry-After` seconds',
      message: 'This tenant already has 100 log streams open; close one or poll GET /jobs/{id}/logs',
    },
    {
      status: 503,
      description: 'This server has `JOB_LOG_STREAMS_MAX` streams open, or is shutting down; retry after `Retry-After` seconds',
      message: 'This server has no room for another log stream; retry shortly',
    },
  )
  @RequireScope('read', 'worker')
  @Get()
  async stream(
    @Param('id', uuid) id: string,
    @Query() query: StreamJobLogsQueryDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const resumeAfter = parseLastEventId(lastEventId);
    if (resumeAfter === null) throw new BadLastEventIdError();
    await this.streams.stream(id, resumeAfter ?? query.after ?? 0, res);
  }
}
