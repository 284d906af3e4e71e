import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses, ErrorResponse } from '../common/api-error-responses.decorator';
import { ApiIdParam } from '../common/api-id-param.decorator';
import { parseId } from '../common/parse-id.pipe';
import { DEFAULT_PAGE_SIZE, Page } from '../common/pagination';
import { RequireScope } from '../tenancy/auth/require-scope.decorator';
import { TenantRoute } from '../tenancy/auth/tenant-route.decorator';
import {
  CreateScheduleDto,
  ListSchedulesQueryDto,
  ScheduleDto,
  SchedulePageDto,
  toScheduleDto,
  UpdateScheduleDto,
} from './dto/schedule.dto';
import { SchedulesService } from './schedules.service';
import { NoBody } from '../common/no-body.decorator';

export const SCHEDULES_TAG = {
  name: 'schedules',
  description:
    'Recurring jobs: each occurrence of a five-field `cron` expression in an IANA `timezone` queues one job, within seconds of its time, ' +
    'whatever the number of server instances. After downtime at most one missed occurrence per schedule is queued. ' +
    'Deleting the target deletes its schedules.',
};

const uuid = parseId();
const ID = 'The schedule';
const NOT_FOUND = { status: 404, description: 'No such schedule in this tenant', message: 'Schedule not found' } as const;
const BAD_ID = { status: 400, message: 'id must be a UUID' } as const;
const BAD_BODY: ErrorResponse = {
  status: 400,
  description: 'Invalid body: a `cron` without exactly five fields or otherwise malformed, a `timezone` that is not an IANA name …',
  message: ['cron must have exactly 5 fields (minute hour day-of-month month day-of-week), not 6'],
};
const PARENT_NOT_FOUND = {
  status: 404,
  description: 'No such target, or the session is not one of the target',
  message: 'Target not found',
} as const;

@ApiTags(SCHEDULES_TAG.name)
@TenantRoute()
@Controller('schedules')
export class SchedulesController {
  constructor(private readonly schedules: SchedulesService) {}

  @ApiOperation({
    summary: 'Create a schedule',
    description:
      '`timezone` defaults to `UTC`, `enabled` to `true`; `job` takes the fields of `POST /jobs` but `runAt` (each job is due at its occurrence). ' +
      '`nextRunAt` is the first occurrence after now.',
  })
  @ApiResponse({ status: 201, description: 'The schedule', type: ScheduleDto })
  @ApiErrorResponses(BAD_BODY, PARENT_NOT_FOUND, 413)
  @RequireScope('write')
  @Post()
  async create(@Body() body: CreateScheduleDto): Promise<ScheduleDto> {
    return toScheduleDto(await this.schedules.create(body));
  }

  @ApiOperation({ summary: 'List schedules, newest first', description: 'Keyset pagination: pass `nextCursor` as `cursor` for the next page.' })
  @ApiResponse({ status: 200, description: 'One page of schedules', type: SchedulePageDto })
  @ApiErrorResponses({ status: 400, message: 'cursor is invalid' })
  @RequireScope('read')
  @Get()
  async list(@Query() query: ListSchedulesQueryDto): Promise<Page<ScheduleDto>> {
    const page = await this.schedules.list(query.limit ?? DEFAULT_PAGE_SIZE, query.cursor);
    return { items: page.items.map(toScheduleDto), nextCursor: page.nextCursor };
  }

  @ApiOperation({ summary: 'One schedule', description: 'A schedule of another tenant is a `404`, like one that does not exist.' })
  @ApiResponse({ status: 200, description: 'The schedule', type: ScheduleDto })
  @ApiErrorResponses(BAD_ID, NOT_FOUND)
  @ApiIdParam(ID)
  @RequireScope('read')
  @Get(':id')
  async get(@Param('id', uuid) id: string): Promise<ScheduleDto> {
    return toScheduleDto(await this.schedules.get(id));
  }

  @ApiOperation({
    summary: 'Change a schedule; `job` is replaced, not merged',
    description:
      'Only the fields present change; `null` is refused. A new `cron`, `timezone` or `enabled` recomputes `nextRunAt` from now ' +
      '(`null` when disabled: a disabled schedule queues nothing).',
  })
  @ApiResponse({ status: 200, description: 'The changed schedule', type: ScheduleDto })
  @ApiErrorResponses(BAD_BODY, { ...NOT_FOUND, description: 'No such schedule, or its new job names a missing target or session' }, 413)
  @ApiIdParam(ID)
  @RequireScope('write')
  @Patch(':id')
  async update(@Param('id', uuid) id: string, @Body() body: UpdateScheduleDto): Promise<ScheduleDto> {
    return toScheduleDto(await this.schedules.update(id, body));
  }

  @ApiOperation({ summary: 'Delete a schedule', description: 'It queues nothing more; the jobs it queued stay.' })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiErrorResponses(BAD_ID, NOT_FOUND)
  @HttpCode(204)
  @ApiIdParam(ID)
  @RequireScope('write')
  @Delete(':id')
  @NoBody()
  async delete(@Param('id', uuid) id: string): Promise<void> {
    await this.schedules.delete(id);
  }
}
