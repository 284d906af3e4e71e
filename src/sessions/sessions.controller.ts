import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ErrorDto } from '../common/error.dto';
import { parseId } from '../common/parse-id.pipe';
import { DEFAULT_PAGE_SIZE, Page } from '../common/pagination';
import { TenantRoute } from '../tenancy/auth/tenant-route.decorator';
import {
  CreateSessionDto,
  ListSessionsQueryDto,
  SessionDto,
  SessionPageDto,
  toSessionDto,
  UpdateSessionDto,
} from './dto/session.dto';
import { SessionsService } from './sessions.service';

const uuid = parseId();
const ID_PARAM = { name: 'id', format: 'uuid' };

@ApiTags('sessions')
@TenantRoute()
@ApiResponse({ status: 400, description: 'Invalid input (body, query, id or cursor)', type: ErrorDto })
@Controller('sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @ApiOperation({ summary: 'Open a session against a target' })
  @ApiResponse({ status: 201, type: SessionDto })
  @ApiResponse({ status: 404, description: 'No such target', type: ErrorDto })
  @ApiResponse({ status: 413, description: 'Body over 1 MiB', type: ErrorDto })
  @Post()
  async create(@Body() body: CreateSessionDto): Promise<SessionDto> {
    return toSessionDto(await this.sessions.create(body));
  }

  @ApiOperation({ summary: 'List sessions, newest first, optionally by target and status' })
  @ApiResponse({ status: 200, type: SessionPageDto })
  @Get()
  async list(@Query() query: ListSessionsQueryDto): Promise<Page<SessionDto>> {
    const page = await this.sessions.list({ ...query, limit: query.limit ?? DEFAULT_PAGE_SIZE });
    return { items: page.items.map((session) => toSessionDto(session)), nextCursor: page.nextCursor };
  }

  @ApiOperation({ summary: 'One session' })
  @ApiResponse({ status: 200, type: SessionDto })
  @ApiResponse({ status: 404, description: 'No such session', type: ErrorDto })
  @ApiParam(ID_PARAM)
  @Get(':id')
  async get(@Param('id', uuid) id: string): Promise<SessionDto> {
    return toSessionDto(await this.sessions.get(id));
  }

  @ApiOperation({ summary: "Replace a session's metadata" })
  @ApiResponse({ status: 200, type: SessionDto })
  @ApiResponse({ status: 404, description: 'No such session', type: ErrorDto })
  @ApiResponse({ status: 413, description: 'Body over 1 MiB', type: ErrorDto })
  @ApiParam(ID_PARAM)
  @Patch(':id')
  async update(@Param('id', uuid) id: string, @Body() body: UpdateSessionDto): Promise<SessionDto> {
    return toSessionDto(await this.sessions.updateMetadata(id, body.metadata));
  }

  @ApiOperation({ summary: 'Close a session (closing a closed session is a no-op)' })
  @ApiResponse({ status: 200, type: SessionDto })
  @ApiResponse({ status: 404, description: 'No such session', type: ErrorDto })
  @HttpCode(200)
  @ApiParam(ID_PARAM)
  @Post(':id/close')
  async close(@Param('id', uuid) id: string): Promise<SessionDto> {
    return toSessionDto(await this.sessions.close(id));
  }
}
