import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ErrorDto } from '../common/error.dto';
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

const uuid = parseId();
const ID_PARAM = { name: 'id', format: 'uuid' };

@ApiTags('targets')
@TenantRoute()
@ApiResponse({ status: 400, description: 'Invalid input (body, query, id or cursor)', type: ErrorDto })
@Controller('targets')
export class TargetsController {
  constructor(private readonly targets: TargetsService) {}

  @ApiOperation({ summary: 'Create a target' })
  @ApiResponse({ status: 201, type: TargetDto })
  @ApiResponse({ status: 409, description: 'A target with this name exists', type: ErrorDto })
  @ApiResponse({ status: 413, description: 'Body over 1 MiB', type: ErrorDto })
  @Post()
  async create(@Body() body: CreateTargetDto): Promise<TargetDto> {
    return toTargetDto(await this.targets.create(body));
  }

  @ApiOperation({ summary: 'List targets, newest first, optionally by tag or kind' })
  @ApiResponse({ status: 200, type: TargetPageDto })
  @Get()
  async list(@Query() query: ListTargetsQueryDto): Promise<Page<TargetDto>> {
    const page = await this.targets.list({ ...query, limit: query.limit ?? DEFAULT_PAGE_SIZE });
    return { items: page.items.map(toTargetDto), nextCursor: page.nextCursor };
  }

  @ApiOperation({ summary: 'One target' })
  @ApiResponse({ status: 200, type: TargetDto })
  @ApiResponse({ status: 404, description: 'No such target', type: ErrorDto })
  @ApiParam(ID_PARAM)
  @Get(':id')
  async get(@Param('id', uuid) id: string): Promise<TargetDto> {
    return toTargetDto(await this.targets.get(id));
  }

  @ApiOperation({ summary: 'Change a target; tags and metadata are replaced, not merged' })
  @ApiResponse({ status: 200, type: TargetDto })
  @ApiResponse({ status: 404, description: 'No such target', type: ErrorDto })
  @ApiResponse({ status: 409, description: 'A target with this name exists', type: ErrorDto })
  @ApiResponse({ status: 413, description: 'Body over 1 MiB', type: ErrorDto })
  @ApiParam(ID_PARAM)
  @Patch(':id')
  async update(@Param('id', uuid) id: string, @Body() body: UpdateTargetDto): Promise<TargetDto> {
    return toTargetDto(await this.targets.update(id, body));
  }

  @ApiOperation({ summary: 'Delete a target with its sessions, jobs and job logs' })
  @ApiResponse({ status: 204, description: 'Deleted' })
  @ApiResponse({ status: 404, description: 'No such target', type: ErrorDto })
  @ApiResponse({ status: 409, description: 'One of its jobs is running', type: ErrorDto })
  @HttpCode(204)
  @ApiParam(ID_PARAM)
  @Delete(':id')
  async delete(@Param('id', uuid) id: string): Promise<void> {
    await this.targets.delete(id);
  }
}
