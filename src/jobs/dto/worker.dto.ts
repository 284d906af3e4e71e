import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsObject,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsJsonObject, IsLabel, IsObjectItems, IsOptionalNotNull, IsText, IsUuid, KIB, LABEL_PATTERN } from '../../common/validation';
import type { JsonObject } from '../../common/json';

export const DEFAULT_LEASE_SECONDS = 60;
export const MIN_LEASE_SECONDS = 5;
export const MAX_LEASE_SECONDS = 3600;
export const JOB_RESULT_MAX_BYTES = 256 * KIB;
export const MAX_RETRY_DELAY_SECONDS = 604_800;
export const MAX_CLAIM_LIMIT = 100;
export const MAX_WAIT_SECONDS = 30;
export const MAX_COMPLETE_BATCH = 100;

class WorkerDto {
  /** Who is asking; the lease is held under this id. */
  @ApiProperty({ example: 'worker-7', minLength: 1, maxLength: 200 })
  @IsLabel(1, 200)
  workerId: string;
}

class LeaseDto extends WorkerDto {
  /** How long the lease lasts from now, in seconds. */
  @ApiPropertyOptional({ type: 'integer', minimum: MIN_LEASE_SECONDS, maximum: MAX_LEASE_SECONDS, default: DEFAULT_LEASE_SECONDS })
  @IsOptionalNotNull()
  @IsInt()
  @Min(MIN_LEASE_SECONDS)
  @Max(MAX_LEASE_SECONDS)
  leaseSeconds?: number;
}

export class ClaimJobDto extends LeaseDto {
  /** Only jobs of these types (default: any type). */
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', minLength: 1, maxLength: 100, pattern: LABEL_PATTERN },
    example: ['backup'],
    minItems: 1,
    maxItems: 50,
  })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsLabel(1, 100, { each: true })
  types?: string[];

  /** Up to this many jobs at once; the answer is then `{ items }` (possibly empty) instead of one job or 204. */
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_CLAIM_LIMIT, example: 10 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(MAX_CLAIM_LIMIT)
  limit?: number;

  /** With nothing due, wait up to this long for a job to become due (long poll; default 0). */
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: MAX_WAIT_SECONDS, default: 0, example: 20 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(MAX_WAIT_SECONDS)
  waitSeconds?: number;
}

export class JobProgressInputDto {
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100, example: 40 })
  @IsInt()
  @Min(0)
  @Max(100)
  percent: number;

  @ApiPropertyOptional({ maxLength: 500, example: 'copied 4 of 10 files' })
  @IsOptionalNotNull()
  @IsText(0, 500)
  message?: string;
}

export class HeartbeatJobDto extends LeaseDto {
  /** Shown as `Job.progress` until the next heartbeat with progress. */
  @ApiPropertyOptional({ type: JobProgressInputDto })
  @IsOptionalNotNull()
  @IsObject()
  @ValidateNested()
  @Type(() => JobProgressInputDto)
  progress?: JobProgressInputDto;
}

export class CompleteJobDto extends WorkerDto {
  /** Any JSON object, at most 256 KiB serialized. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { files: 12 } })
  @IsOptionalNotNull()
  @IsJsonObject(JOB_RESULT_MAX_BYTES)
  result?: JsonObject;
}

export class CompleteBatchItemDto {
  @ApiProperty({ format: 'uuid' })
  @IsUuid()
  id: string;

  /** Any JSON object, at most 256 KiB serialized. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { files: 12 } })
  @IsOptionalNotNull()
  @IsJsonObject(JOB_RESULT_MAX_BYTES)
  result?: JsonObject;
}

export class CompleteJobBatchDto extends WorkerDto {
  @ApiProperty({ type: [CompleteBatchItemDto], minItems: 1, maxItems: MAX_COMPLETE_BATCH })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_COMPLETE_BATCH)
  @IsObjectItems()
  @ValidateNested({ each: true })
  @Type(() => CompleteBatchItemDto)
  items: CompleteBatchItemDto[];
}

export const COMPLETE_ITEM_STATUSES = ['succeeded', 'conflict', 'not_found'] as const;
export type CompleteItemStatus = (typeof COMPLETE_ITEM_STATUSES)[number];

export class CompleteItemResultDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  /** `conflict`: the job is not running, or its lease is another worker's or expired. */
  @ApiProperty({ enum: COMPLETE_ITEM_STATUSES }) status: CompleteItemStatus;
}

export class CompleteBatchResultDto {
  @ApiProperty({ type: [CompleteItemResultDto] }) items: CompleteItemResultDto[];
}

export class FailJobDto extends WorkerDto {
  @ApiProperty({ example: 'connection refused', minLength: 1, maxLength: 10_000 })
  @IsText(1, 10_000)
  error: string;

  /** `false` fails the job for good, whatever attempts remain. */
  @ApiPropertyOptional({ default: true })
  @IsOptionalNotNull()
  @IsBoolean()
  retryable?: boolean;

  /** Delay before the retry; default exponential backoff (JOB_BACKOFF_BASE_SECONDS × 2^(attempts−1), capped). */
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: MAX_RETRY_DELAY_SECONDS, example: 30 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(0)
  @Max(MAX_RETRY_DELAY_SECONDS)
  retryDelaySeconds?: number;
}
