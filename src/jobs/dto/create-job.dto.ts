import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, Max, Min, ValidateNested } from 'class-validator';
import { ISO_TIMESTAMP_RULE } from '../../common/iso-timestamp';
import { IsIsoTimestamp, IsJsonObject, IsLabel, IsObjectItems, IsOptionalNotNull, IsUuid, KIB } from '../../common/validation';
import type { JsonObject } from '../../common/json';

export const JOB_PAYLOAD_MAX_BYTES = 256 * KIB;
export const DEFAULT_MAX_ATTEMPTS = 3;
export const MAX_JOB_BATCH = 1000;

export class CreateJobDto {
  @ApiProperty({ format: 'uuid' })
  @IsUuid()
  targetId: string;

  /** A session of the same target. */
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptionalNotNull()
  @IsUuid()
  sessionId?: string;

  /** What the worker should do; workers can claim by type. */
  @ApiProperty({ example: 'backup', minLength: 1, maxLength: 100 })
  @IsLabel(1, 100)
  type: string;

  /** Any JSON object, at most 256 KiB serialized. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { path: '/etc' }, default: {} })
  @IsOptionalNotNull()
  @IsJsonObject(JOB_PAYLOAD_MAX_BYTES)
  payload?: JsonObject;

  /** Higher runs first. */
  @ApiPropertyOptional({ type: 'integer', minimum: -100, maximum: 100, default: 0, example: 10 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(-100)
  @Max(100)
  priority?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 20, default: DEFAULT_MAX_ATTEMPTS })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(20)
  maxAttempts?: number;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    example: '2030-01-01T00:00:00.000Z',
    description: `Not before this time (default: now). ${ISO_TIMESTAMP_RULE}`,
  })
  @IsOptionalNotNull()
  @IsIsoTimestamp()
  runAt?: string;
}

export class CreateJobBatchDto {
  /** Created all together or not at all; errors name the item by its index (`jobs.3.type …`). */
  @ApiProperty({ type: [CreateJobDto], minItems: 1, maxItems: MAX_JOB_BATCH })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_JOB_BATCH)
  @IsObjectItems()
  @ValidateNested({ each: true })
  @Type(() => CreateJobDto)
  jobs: CreateJobDto[];
}
