import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { PageDto, PageQueryDto } from '../../../common/page.dto';
import { IsIsoTimestamp, IsName, IsOptionalNotNull } from '../../../common/validation';
import { API_KEY_SCOPES, ApiKeyScope } from '../../auth/api-key-scopes';
import { GRACE_SECONDS_MAX, KEY_NAME_MAX, KEY_NAME_MIN } from '../api-key-rules';
import type { ApiKeyView } from '../api-key-view';

const KEY_ID = { example: '3kTMd9Xq2LbA', pattern: '^[0-9A-Za-z]{12}$' };

export class CreateApiKeyDto {
  /** Unique among the tenant's live keys; 1–100 characters after trimming. */
  @ApiProperty({ example: 'ci', minLength: KEY_NAME_MIN, maxLength: KEY_NAME_MAX })
  @IsName(KEY_NAME_MIN, KEY_NAME_MAX)
  name: string;

  /** What the key may do; default every scope. */
  @ApiPropertyOptional({ enum: API_KEY_SCOPES, isArray: true, example: ['read'] })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(API_KEY_SCOPES.length)
  @ArrayUnique()
  @IsIn(API_KEY_SCOPES, { each: true })
  scopes?: ApiKeyScope[];

  /** When the key stops working (with an offset, in the future); default never. */
  @ApiPropertyOptional({ format: 'date-time', example: '2027-01-01T00:00:00Z' })
  @IsOptionalNotNull()
  @IsIsoTimestamp()
  expiresAt?: string;
}

export class RotateApiKeyDto {
  /** How long the old key keeps working, 0–604800 seconds (default 0: refused at once). */
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: GRACE_SECONDS_MAX, default: 0 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(GRACE_SECONDS_MAX)
  graceSeconds?: number;
}

export class ListApiKeysQueryDto extends PageQueryDto {
  /** Also list revoked keys and rotated-out keys past their grace period. */
  @ApiPropertyOptional({ enum: ['true', 'false'] })
  @IsOptional()
  @IsIn(['true', 'false'])
  @Type(() => String)
  includeRevoked?: 'true' | 'false';
}

export class ApiKeyDto implements ApiKeyView {
  /** The public key id inside the key. */
  @ApiProperty(KEY_ID) id: string;
  @ApiProperty({ example: 'ci' }) name: string;
  /** `tnt_<id>`: what a secret scanner or a log may show. */
  @ApiProperty({ example: 'tnt_3kTMd9Xq2LbA' }) prefix: string;
  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true }) scopes: ApiKeyScope[];
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) expiresAt: string | null;
  /** At most about a minute stale. */
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) lastUsedAt: string | null;
  /** A rotated-out key works until then. */
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) graceUntil: string | null;
  /** When it was revoked or rotated out. */
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) revokedAt: string | null;
}

export class ApiKeyWithSecretDto {
  @ApiProperty({ type: ApiKeyDto }) key: ApiKeyDto;
  /** Shown once; only its hash is stored. */
  @ApiProperty({ example: 'tnt_3kTMd9Xq2LbA_5rWm...' }) apiKey: string;
}

export class ApiKeyPageDto extends PageDto<ApiKeyDto> {
  @ApiProperty({ type: [ApiKeyDto] }) declare items: ApiKeyDto[];
}
