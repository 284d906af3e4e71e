import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/api-error-responses.decorator';
import { ApiIdParam } from '../common/api-id-param.decorator';
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
import { RequireScope } from '../tenancy/auth/require-scope.decorator';
import { NoBody } from '../common/no-body.decorator';

export const SESSIONS_TAG = {
  name: 'sessions',
  description:
    'A period of work against one target: `active` until closed, or `expired` once its `expiresAt` (from `ttlSeconds`) has passed.',
};

const uuid = parseId();
const ID = 'The session';
const NOT_FOUND = { status: 404, description: 'No such session in this tenant', message: 'Session not found' } as const;
const BAD_ID = { status: 400, message: 'id must be a UUID' } as const;

@ApiTags(SESSIONS_TAG.name)
@TenantRoute()
@Controller('sessions')
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @ApiOperation({
    summary: 'Open a session against a target',
    description: 'Without `ttlSeconds` the session stays `active` until closed.',
  })
  @ApiResponse({ status: 201, description: 'The session, `active`', type: SessionDto })
  @ApiErrorResponses(400, { status: 404, description: 'No such target in this tenant', message: 'Target not found' }, 413)
  @RequireScope('write')
  @Post()
  async create(@Body() body: CreateSessionDto): Promise<SessionDto> {
    return toSessionDto(await this.sessions.create(body));
  }

  @ApiOperation({
    summary: 'List sessions, newest first, optionally by target and status',
    description: 'Keyset pagination: pass `nextCursor` as `cursor` for the next page.',
  })
  @ApiResponse({ status: 200, description: 'One page of sessions', type: SessionPageDto })
  @ApiErrorResponses({ status: 400, message: 'cursor is invalid' })
  @RequireScope('read')
  @Get()
  async list(@Query() query: ListSessionsQueryDto): Promise<Page<SessionDto>> {
    const page = await this.sessions.list({ ...query, limit: query.limit ?? DEFAULT_PAGE_SIZE });
    return { items: page.items.map((session) => toSessionDto(session)), nextCursor: page.nextCursor };
  }

  @ApiOperation({ summary: 'One session', description: 'A session of another tenant is a `404`, like one that does not exist.' })
  @ApiResponse({ status: 200, description: 'The session', type: SessionDto })
  @ApiErrorResponses(BAD_ID, NOT_FOUND)
  @ApiIdParam(ID)
  @RequireScope('read')
  @Get(':id')
  async get(@Param('id', uuid) id: string): Promise<SessionDto> {
    return toSessionDto(await this.sessions.get(id));
  }

  @ApiOperation({ summary: "Replace a session's metadata", description: 'The whole object is replaced, not merged.' })
  @ApiResponse({ status: 200, description: 'The changed session', type: SessionDto })
  @ApiErrorResponses(400, NOT_FOUND, 413)
  @ApiIdParam(ID)
  @RequireScope('write')
  @Patch(':id')
  async update(@Param('id', uuid) id: string, @Body() body: UpdateSessionDto): Promise<SessionDto> {
    return toSessionDto(await this.sessions.updateMetadata(id, body.metadata));
  }

  @ApiOperation({
    summary: 'Close a session (closing a closed session is a no-op)',
    description: 'Sets `closedAt` the first time; a second close answers the session unchanged.',
  })
  @ApiResponse({ status: 200, description: 'The session, `closed`', type: SessionDto })
  @ApiErrorResponses(BAD_ID, NOT_FOUND)
  @HttpCode(200)
  @ApiIdParam(ID)
  @RequireScope('write')
  @Post(':id/close')
  @NoBody()
  async close(@Param('id', uuid) id: string): Promise<SessionDto> {
    return toSessionDto(await this.sessions.close(id));
  }
}
