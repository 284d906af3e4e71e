import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, Length, Matches, ValidateBy, ValidateIf } from 'class-validator';
import { PageDto, PageQueryDto } from '../../common/page.dto';
import { SLUG_MAX, SLUG_MIN, SLUG_PATTERN } from '../slug';
import type { TenantView } from '../tenant-view';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
// PostgreSQL text cannot hold NUL; refuse it here rather than fail the INSERT. (Non-strings are IsString's to report.)
const noNul = ValidateBy({
  name: 'noNul',
  validator: {
    validate: (value: unknown) => typeof value !== 'string' || !value.includes('\0'),
    defaultMessage: (args) => `${args?.property} must not contain NUL characters`,
  },
});

export class CreateTenantDto {
  /** Display name, 1–200 characters after trimming. */
  @ApiProperty({ example: 'Acme Corp', minLength: 1, maxLength: 200 })
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  @noNul
  name: string;

  /** Immutable identifier; the schema is `tenant_` + slug with `-` replaced by `_`. */
  @ApiProperty({ example: 'acme-corp', minLength: SLUG_MIN, maxLength: SLUG_MAX, pattern: SLUG_PATTERN.source })
  @IsString()
  @Length(SLUG_MIN, SLUG_MAX)
  @Matches(SLUG_PATTERN, { message: 'slug must be lowercase letters and digits in groups joined by single hyphens, starting with a letter' })
  slug: string;
}

// Absent is allowed, null is not: @IsOptional() would let `null` through to a NOT NULL column (a 500).
const unlessAbsent = ValidateIf((_object: object, value: unknown) => value !== undefined);

export class UpdateTenantDto {
  @ApiPropertyOptional({ example: 'Acme Corporation', minLength: 1, maxLength: 200 })
  @unlessAbsent
  @Transform(trim)
  @IsString()
  @Length(1, 200)
  @noNul
  name?: string;

  /** `false` deactivates the tenant: its key gets `403` at once, on every instance. */
  @ApiPropertyOptional()
  @unlessAbsent
  @IsBoolean()
  isActive?: boolean;
}

export class ListTenantsQueryDto extends PageQueryDto {
  /** Only active (`true`) or only deactivated (`false`) tenants. */
  @ApiPropertyOptional({ enum: ['true', 'false'] })
  @IsOptional()
  @IsIn(['true', 'false'])
  @Type(() => String)
  isActive?: 'true' | 'false';
}

export class TenantDto implements TenantView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Acme Corp' }) name: string;
  @ApiProperty({ example: 'acme-corp' }) slug: string;
  @ApiProperty({ example: 'tenant_acme_corp' }) schemaName: string;
  @ApiProperty() isActive: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class TenantWithKeyDto {
  @ApiProperty({ type: TenantDto }) tenant: TenantDto;
  /** Shown once; only its hash is stored. */
  @ApiProperty({ example: 'tnt_3kTMd9Xq2LbA_5rWm...' }) apiKey: string;
}

export class TenantPageDto extends PageDto<TenantDto> {
  @ApiProperty({ type: [TenantDto] }) declare items: TenantDto[];
}

export class TenantInfoDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() slug: string;
  @ApiProperty() schemaName: string;
  @ApiProperty() isActive: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}
