import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsInt, Max, Min } from 'class-validator';
import { IsJsonObject, IsOptionalNotNull, IsText, KIB } from '../../common/validation';
import type { JsonObject } from '../../common/json';

export const DEFAULT_LEASE_SECONDS = 60;
export const MIN_LEASE_SECONDS = 5;
export const MAX_LEASE_SECONDS = 3600;
export const JOB_RESULT_MAX_BYTES = 256 * KIB;
export const MAX_RETRY_DELAY_SECONDS = 604_800;

class WorkerDto {
  /** Who is asking; the lease is held under this id. */
  @ApiProperty({ example: 'worker-7', minLength: 1, maxLength: 200 })
  @IsText(1, 200)
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
    items: { type: 'string', minLength: 1, maxLength: 100 },
    example: ['backup'],
    minItems: 1,
    maxItems: 50,
  })
  @IsOptionalNotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsText(1, 100, { each: true })
  types?: string[];
}

export class HeartbeatJobDto extends LeaseDto {}

export class CompleteJobDto extends WorkerDto {
  /** Any JSON object, at most 256 KiB serialized. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { files: 12 } })
  @IsOptionalNotNull()
  @IsJsonObject(JOB_RESULT_MAX_BYTES)
  result?: JsonObject;
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
