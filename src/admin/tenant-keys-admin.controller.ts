import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses } from '../common/api-error-responses.decorator';
import { ApiIdParam } from '../common/api-id-param.decorator';
import { parseId } from '../common/parse-id.pipe';
import { DEFAULT_PAGE_SIZE, Page } from '../common/pagination';
import { toApiKeyView } from '../tenancy/keys/api-key-view';
import { ApiKeysService } from '../tenancy/keys/api-keys.service';
import {
  ApiKeyDto,
  ApiKeyPageDto,
  ApiKeyWithSecretDto,
  CreateApiKeyDto,
  ListApiKeysQueryDto,
  RotateApiKeyDto,
} from '../tenancy/keys/dto/api-key.dto';
import { AdminErrorResponses, BAD_ID, TENANT_NOT_FOUND } from './admin-routes';
import { AdminKeyGuard } from './admin-key.guard';
import { ADMIN_KEY_SCHEME, TENANTS_ADMIN_TAG } from './tenants-admin.controller';
import { NoBody } from '../common/no-body.decorator';

const uuid = parseId();
const KEY_NOT_FOUND = { status: 404, description: 'No such tenant, or no such key of it', message: 'API key not found' } as const;
const KeyIdParam = () => ApiParam({ name: 'keyId', description: 'The key id (`tnt_<keyId>_…`)', schema: { type: 'string', pattern: '^[0-9A-Za-z]{12}$' } });

@ApiTags(TENANTS_ADMIN_TAG.name)
@ApiSecurity(ADMIN_KEY_SCHEME)
@AdminErrorResponses()
@UseGuards(AdminKeyGuard)
@Controller('tenants/:id/keys')
export class TenantKeysAdminController {
  constructor(private readonly keys: ApiKeysService) {}

  @ApiOperation({ summary: "List a tenant's API keys, newest first", description: 'Live keys (in grace included) unless `includeRevoked=true`.' })
  @ApiResponse({ status: 200, description: 'One page of keys', type: ApiKeyPageDto })
  @ApiErrorResponses(BAD_ID, TENANT_NOT_FOUND)
  @ApiIdParam('The tenant')
  @Get()
  async list(@Param('id', uuid) id: string, @Query() query: ListApiKeysQueryDto): Promise<Page<ApiKeyDto>> {
    const page = await this.keys.list(id, { limit: query.limit ?? DEFAULT_PAGE_SIZE, cursor: query.cursor, includeRevoked: query.includeRevoked === 'true' });
    return { items: page.items.map(toApiKeyView), nextCursor: page.nextCursor };
  }

  @ApiOperation({ summary: 'Create an API key', description: 'The key is in this answer only. Scopes default to all of them.' })
  @ApiResponse({ status: 201, description: 'The key and its one-time display', type: ApiKeyWithSecretDto })
  @ApiErrorResponses(400, TENANT_NOT_FOUND, { status: 409, description: 'Name taken by a live key', message: 'A live API key named "ci" already exists' }, 413)
  @ApiIdParam('The tenant')
  @Post()
  async create(@Param('id', uuid) id: string, @Body() body: CreateApiKeyDto): Promise<ApiKeyWithSecretDto> {
    const { key, apiKey } = await this.keys.create(id, { name: body.name, scopes: body.scopes, expiresAt: body.expiresAt ? new Date(body.expiresAt) : null });
    return { key: toApiKeyView(key), apiKey };
  }

  @ApiOperation({ summary: 'Revoke an API key', description: 'Refused from then on, on every instance within a second.' })
  @ApiResponse({ status: 204, description: 'Revoked (also when it already was)' })
  @ApiErrorResponses(BAD_ID, KEY_NOT_FOUND)
  @ApiIdParam('The tenant')
  @KeyIdParam()
  @HttpCode(204)
  @Delete(':keyId')
  @NoBody()
  async revoke(@Param('id', uuid) id: string, @Param('keyId') keyId: string): Promise<void> {
    await this.keys.revoke(id, keyId);
  }

  @ApiOperation({
    summary: 'Rotate an API key',
    description: 'A new key with the same name, scopes and expiry; the old one works until `graceUntil` (now + `graceSeconds`), then is refused.',
  })
  @ApiResponse({ status: 200, description: 'The new key and its one-time display', type: ApiKeyWithSecretDto })
  @ApiErrorResponses(400, KEY_NOT_FOUND, { status: 409, description: 'The key is revoked or already rotated out', message: 'API key is revoked or rotated out' }, 413)
  @ApiIdParam('The tenant')
  @KeyIdParam()
  @HttpCode(200)
  @Post(':keyId/rotate')
  async rotate(@Param('id', uuid) id: string, @Param('keyId') keyId: string, @Body() body: RotateApiKeyDto): Promise<ApiKeyWithSecretDto> {
    const { key, apiKey } = await this.keys.rotate(id, keyId, body.graceSeconds ?? 0);
    return { key: toApiKeyView(key), apiKey };
  }
}
