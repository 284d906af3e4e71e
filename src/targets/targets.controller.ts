import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/api-error-responses.decorator';
import { ApiIdParam } from '../common/api-id-param.decorator';
import { parseId } from '../common/parse-id.pipe';
import { DEFAULT_PAGE_SIZE, Page } from '../common/pagination';
import { TenantRoute } from '../tenancy/auth/tenant-route.decorator';
import {
  CreateTargetDto,
  ListTargetsQueryDto,
  TargetDto,
  TargetPageDto,
  toTargetDto,
  UpdateTargetDto,
} from './dto/target.dto';
import { TargetsService } from './targets.service';
import { RequireScope } from '../tenancy/auth/require-scope.decorator';
import { NoBody } from '../common/no-body.decorator';

export const TARGETS_TAG = {
  name: 'targets',
  description: 'The things work is done against (a host, a device, a URL …). Deleting one removes its sessions, schedules, jobs and job logs.',
};

const uuid = parseId();
const ID = 'The target';
const NOT_FOUND = { status: 404, description: 'No such target in this tenant', message: 'Target not found' } as const;
const NAME_TAKEN = { status: 409, description: 'A target with this name exists', message: 'A target named "edge-router-1" already exists' } as const;

@ApiTags(TARGETS_TAG.name)
@TenantRoute()
@Controller('targets')
export class TargetsController {
  constructor(private readonly targets: TargetsService) {}

  @ApiOperation({
    summary: 'Create a target',
    description: 'Names are unique within the tenant (after trimming). `kind` defaults to `generic`, `tags` to `[]`, `metadata` to `{}`.',
  })
  @ApiResponse({ status: 201, description: 'The target', type: TargetDto })
  @ApiErrorResponses(400, NAME_TAKEN, 413)
  @RequireScope('write')
  @Post()
  async create(@Body() body: CreateTargetDto): Promise<TargetDto> {
    return toTargetDto(await this.targets.create(body));
  }

  @ApiOperation({
    summary: 'List targets, newest first, optionally by tag or kind',
    description: 'Keyset pagination: pass `nextCursor` as `cursor` for the next page; `tag` and `kind` narrow the list.',
  })
  @ApiResponse({ status: 200, description: 'One page of targets', type: TargetPageDto })
  @ApiErrorResponses({ status: 400, message: 'cursor is invalid' })
  @RequireScope('read')
  @Get()
  async list(@Query() query: ListTargetsQueryDto): Promise<Page<TargetDto>> {
    const page = await this.targets.list({ ...query, limit: query.limit ?? DEFAULT_PAGE_SIZE });
    return { items: page.items.map(toTargetDto), nextCursor: page.nextCursor };
  }

  @ApiOperation({ summary: 'One target', description: 'A target of another tenant is a `404`, like one that does not exist.' })
  @ApiResponse({ status: 200, description: 'The target', type: TargetDto })
  @ApiErrorResponses({ status: 400, message: 'id must be a UUID' }, NOT_FOUND)
  @ApiIdParam(ID)
  @RequireScope('read')
  @Get(':id')
  async get(@Param('id', uuid) id: string): Promise<TargetDto> {
    return toTargetDto(await this.targets.get(id));
  }

  @ApiOperation({
    summary: 'Change a target; tags and metadata are replaced, not merged',
    description: 'Only the fields present change; `null` is refused. The new name must be free within the tenant.',
  })
  @ApiResponse({ status: 200, description: 'The changed target', type: TargetDto })
  @ApiErrorResponses(400, NOT_FOUND, NAME_TAKEN, 413)
  @ApiIdParam(ID)
  @RequireScope('write')
  @Patch(':id')
  async update(@Param('id', uuid) id: string, @Body() body: UpdateTargetDto): Promise<TargetDto> {
    return toTargetDto(await this.targets.update(id, body));
  }

  @ApiOperation({
    summary: 'Delete a target with its sessions, schedules, jobs and job logs',
    description: 'Refused with `409` while one of its jobs is `running`: cancel it or let it finish first.',
  })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiErrorResponses(
    { status: 400, message: 'id must be a UUID' },
    NOT_FOUND,
    { status: 409, description: 'One of its jobs is running', message: 'The target has running jobs; cancel them or wait for them to finish' },
  )
  @HttpCode(204)
  @ApiIdParam(ID)
  @RequireScope('write')
  @Delete(':id')
  @NoBody()
  async delete(@Param('id', uuid) id: string): Promise<void> {
    await this.targets.delete(id);
  }
}
