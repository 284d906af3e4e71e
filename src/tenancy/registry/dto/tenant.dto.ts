import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Length, Matches, Max, Min, ValidateBy, ValidateIf, ValidateNested } from 'class-validator';
import { PageDto, PageQueryDto } from '../../../common/page.dto';
import { IsName, IsOptionalNotNull, IsText } from '../../../common/validation';
import { NAME_MAX, NAME_MIN, SLUG_MAX, SLUG_MIN, SLUG_PATTERN, SLUG_PATTERN_MESSAGE } from '../tenant-rules';
import type { TenantView } from '../tenant-view';
import { API_KEY_SCOPES, ApiKeyScope } from '../../auth/api-key-scopes';
import { burstProblem, RATE_LIMIT_MAX, RateLimitSetting } from '../../rate-limit/rate-limit-rules';

export class CreateTenantDto {
  /** Display name, 1–200 characters after trimming. */
  @ApiProperty({ example: 'Acme Corp', minLength: NAME_MIN, maxLength: NAME_MAX })
  @IsName(NAME_MIN, NAME_MAX)
  name: string;

  /** Immutable identifier; the schema is `tenant_` + slug with `-` replaced by `_`. */
  @ApiProperty({ example: 'acme-corp', minLength: SLUG_MIN, maxLength: SLUG_MAX, pattern: SLUG_PATTERN.source })
  @IsString()
  @Length(SLUG_MIN, SLUG_MAX)
  @Matches(SLUG_PATTERN, { message: SLUG_PATTERN_MESSAGE })
  slug: string;
}

export class CreateTenantWithSourceDto extends CreateTenantDto {
  /** Id or slug of a tenant whose data the new tenant starts with (a copy taken at one instant). */
  @ApiPropertyOptional({ example: 'acme-corp', minLength: 1, maxLength: 100 })
  @IsOptionalNotNull()
  @IsText(1, 100)
  cloneFrom?: string;
}

export class ImportTenantQueryDto {
  @ApiProperty({ minLength: SLUG_MIN, maxLength: SLUG_MAX, pattern: SLUG_PATTERN.source })
  @IsString()
  @Length(SLUG_MIN, SLUG_MAX)
  @Matches(SLUG_PATTERN, { message: SLUG_PATTERN_MESSAGE })
  slug: string;

  /** Defaults to the tenant name recorded in the archive. */
  @ApiPropertyOptional({ minLength: NAME_MIN, maxLength: NAME_MAX })
  @IsOptional()
  @IsName(NAME_MIN, NAME_MAX)
  name?: string;
}

const RATE_LIMIT_DESCRIPTION =
  'A token bucket per tenant: refills at `requestsPerSecond`, holds at most `burst` requests; over it, `429` with ' +
  '`Retry-After`. `null` = the instance default (`TENANT_RATE_LIMIT_RPS`); `requestsPerSecond: 0` = unlimited. ' +
  'Enforced by each instance on its own (N instances admit up to N times the limit).';

export class RateLimitDto {
  @IsInt()
  @Min(0)
  @Max(RATE_LIMIT_MAX)
  requestsPerSecond: number;

  @IsOptionalNotNull()
  @ValidateBy({
    name: 'isBurst',
    validator: {
      validate: (value, args) => burstProblem(value, (args?.object as RateLimitDto).requestsPerSecond) === null,
      defaultMessage: (args) => `$property ${burstProblem(args?.value, (args?.object as RateLimitDto).requestsPerSecond)}`,
    },
  })
  burst?: number;
}

/**
 * The schemas of `rateLimit`, written inline: OpenAPI 3.0 cannot make a `$ref` nullable (an `allOf` of it
 * refuses `null`), and `null` is a value of this field.
 */
const RATE_LIMIT_RATE_SCHEMA = { type: 'integer', minimum: 0, maximum: RATE_LIMIT_MAX, example: 50, description: 'Requests a second the bucket refills with; 0 = unlimited.' } as const;
const RATE_LIMIT_IN_SCHEMA: ApiPropertyOptions = {
  type: 'object',
  nullable: true,
  properties: {
    requestsPerSecond: RATE_LIMIT_RATE_SCHEMA,
    burst: {
      type: 'integer',
      minimum: 1,
      maximum: RATE_LIMIT_MAX,
      example: 100,
      description: "Most requests at once (the bucket's size): at least `requestsPerSecond`, which is its default; left out when that is 0.",
    },
  },
  required: ['requestsPerSecond'],
};
const RATE_LIMIT_OUT_SCHEMA: ApiPropertyOptions = {
  type: 'object',
  nullable: true,
  properties: {
    requestsPerSecond: RATE_LIMIT_RATE_SCHEMA,
    burst: { type: 'integer', minimum: 0, maximum: RATE_LIMIT_MAX, example: 100, description: '0 when `requestsPerSecond` is 0 (unlimited).' },
  },
  required: ['requestsPerSecond', 'burst'],
};

export class UpdateTenantDto {
  @ApiPropertyOptional({ example: 'Acme Corporation', minLength: NAME_MIN, maxLength: NAME_MAX })
  @IsOptionalNotNull()
  @IsName(NAME_MIN, NAME_MAX)
  name?: string;

  /** `false` deactivates the tenant: its key gets `403` at once, on every instance. */
  @ApiPropertyOptional()
  @IsOptionalNotNull()
  @IsBoolean()
  isActive?: boolean;

  @ApiProperty({ ...RATE_LIMIT_IN_SCHEMA, description: RATE_LIMIT_DESCRIPTION })
  @ValidateIf((_object, value) => value !== undefined && value !== null)
  @IsObject({ message: '$property must be an object or null' })
  @ValidateNested()
  @Type(() => RateLimitDto)
  rateLimit?: RateLimitDto | null;
}

export class ListTenantsQueryDto extends PageQueryDto {
  /** Only active (`true`) or only deactivated (`false`) tenants. */
  @ApiPropertyOptional({ enum: ['true', 'false'] })
  @IsOptional()
  @IsIn(['true', 'false'])
  @Type(() => String)
  isActive?: 'true' | 'false';

  /** `true` lists deleted tenants (awaiting their purge) too; by default they are left out. */
  @ApiPropertyOptional({ enum: ['true', 'false'] })
  @IsOptional()
  @IsIn(['true', 'false'])
  @Type(() => String)
  includeDeleted?: 'true' | 'false';
}

export class DeleteTenantQueryDto {
  /** `true` erases the tenant at once (schema, ledger entry, keys, row) instead of a soft delete. */
  @ApiPropertyOptional({ enum: ['true', 'false'] })
  @IsOptional()
  @IsIn(['true', 'false'])
  @Type(() => String)
  purge?: 'true' | 'false';
}

export class TenantDto implements TenantView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Acme Corp' }) name: string;
  @ApiProperty({ example: 'acme-corp' }) slug: string;
  @ApiProperty({ example: 'tenant_acme_corp' }) schemaName: string;
  @ApiProperty() isActive: boolean;
  @ApiProperty({ ...RATE_LIMIT_OUT_SCHEMA, description: "The tenant's own rate limit; `null` = the instance default (`TENANT_RATE_LIMIT_RPS`)." })
  rateLimit: RateLimitSetting | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  /** When the tenant was (soft) deleted: its keys are refused until it is restored. Null for a live tenant. */
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) deletedAt: string | null;
  /** When a deleted tenant is purged (schema, keys and row removed) unless restored first. Null for a live tenant. */
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) purgeAfter: string | null;
}

export class TenantWithKeyDto {
  @ApiProperty({ type: TenantDto }) tenant: TenantDto;
  /** Shown once; only its hash is stored. */
  @ApiProperty({ example: 'tnt_3kTMd9Xq2LbA_5rWm...' }) apiKey: string;
}

export class LoadedTableDto {
  @ApiProperty({ example: 'targets' }) name: string;
  @ApiProperty({ type: 'integer', example: 42 }) rows: number;
}

export class ImportedTenantDto extends TenantWithKeyDto {
  /** Rows taken into each table. */
  @ApiProperty({ type: [LoadedTableDto] }) tables: LoadedTableDto[];
}

export class TenantPageDto extends PageDto<TenantDto> {
  @ApiProperty({ type: [TenantDto] }) declare items: TenantDto[];
}

export class CallingKeyDto {
  /** The public key id (`tnt_<id>_…`). */
  @ApiProperty({ example: '3kTMd9Xq2LbA', pattern: '^[0-9A-Za-z]{12}$' }) id: string;
  @ApiProperty({ example: 'ci' }) name: string;
  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true }) scopes: ApiKeyScope[];
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) expiresAt: string | null;
}

export class TenantInfoDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() slug: string;
  @ApiProperty() schemaName: string;
  @ApiProperty() isActive: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  /** The key this request was made with. */
  @ApiProperty({ type: CallingKeyDto }) key: CallingKeyDto;
}
