import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional } from 'class-validator';
import { PageDto, PageQueryDto } from '../../common/page.dto';
import { IsJsonObject, IsLabel, IsName, IsOptionalNotNull, IsText, KIB, LABEL_PATTERN } from '../../common/validation';
import type { Target } from '../target.entity';
import type { JsonObject } from '../../common/json';

export const TARGET_METADATA_MAX_BYTES = 16 * KIB;

export class CreateTargetDto {
  /** Unique within the tenant; 1–200 characters after trimming. */
  @ApiProperty({ example: 'edge-router-1', minLength: 1, maxLength: 200 })
  @IsName(1, 200)
  name: string;

  @ApiPropertyOptional({ example: 'router', minLength: 1, maxLength: 50, default: 'generic' })
  @IsOptionalNotNull()
  @IsLabel(1, 50)
  kind?: string;

  /** A URL, host or any other locator. */
  @ApiProperty({ example: 'https://10.0.0.1:8443', minLength: 1, maxLength: 2048 })
  @IsText(1, 2048)
  address: string;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', minLength: 1, maxLength: 50, pattern: LABEL_PATTERN },
    maxItems: 20,
    example: ['eu-west', 'prod'],
    default: [],
  })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(20)
  @IsLabel(1, 50, { each: true })
  tags?: string[];

  /** Any JSON object, at most 16 KiB serialized. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { rack: 'b7' }, default: {} })
  @IsOptionalNotNull()
  @IsJsonObject(TARGET_METADATA_MAX_BYTES)
  metadata?: JsonObject;
}

/** Every field optional; `tags` and `metadata` are replaced, not merged. */
export class UpdateTargetDto {
  @ApiPropertyOptional({ example: 'edge-router-1', minLength: 1, maxLength: 200 })
  @IsOptionalNotNull()
  @IsName(1, 200)
  name?: string;

  @ApiPropertyOptional({ example: 'router', minLength: 1, maxLength: 50 })
  @IsOptionalNotNull()
  @IsLabel(1, 50)
  kind?: string;

  @ApiPropertyOptional({ example: 'https://10.0.0.2:8443', minLength: 1, maxLength: 2048 })
  @IsOptionalNotNull()
  @IsText(1, 2048)
  address?: string;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', minLength: 1, maxLength: 50, pattern: LABEL_PATTERN },
    maxItems: 20,
    example: ['eu-west'],
  })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMaxSize(20)
  @IsLabel(1, 50, { each: true })
  tags?: string[];

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { rack: 'c1' } })
  @IsOptionalNotNull()
  @IsJsonObject(TARGET_METADATA_MAX_BYTES)
  metadata?: JsonObject;
}

export class ListTargetsQueryDto extends PageQueryDto {
  /** Only targets carrying this tag. */
  @ApiPropertyOptional({ minLength: 1, maxLength: 50 })
  @IsOptional()
  @IsText(1, 50)
  tag?: string;

  /** Only targets of this kind. */
  @ApiPropertyOptional({ minLength: 1, maxLength: 50 })
  @IsOptional()
  @IsText(1, 50)
  kind?: string;
}

export class TargetDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'edge-router-1' }) name: string;
  @ApiProperty({ example: 'router' }) kind: string;
  @ApiProperty({ example: 'https://10.0.0.1:8443' }) address: string;
  @ApiProperty({ type: [String], example: ['eu-west', 'prod'] }) tags: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, example: { rack: 'b7' } }) metadata: JsonObject;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class TargetPageDto extends PageDto<TargetDto> {
  @ApiProperty({ type: [TargetDto] }) declare items: TargetDto[];
}

export function toTargetDto(target: Target): TargetDto {
  return {
    id: target.id,
    name: target.name,
    kind: target.kind,
    address: target.address,
    tags: target.tags,
    metadata: target.metadata,
    createdAt: target.createdAt.toISOString(),
    updatedAt: target.updatedAt.toISOString(),
  };
}
