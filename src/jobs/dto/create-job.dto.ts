import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, isUUID, IsUUID, Max, Min, ValidateNested } from 'class-validator';
import { ISO_TIMESTAMP_RULE } from '../../common/iso-timestamp';
import { IsIsoTimestamp, IsJsonObject, IsOptionalNotNull, IsText, jsonObjectProblem, KIB } from '../../common/validation';
import { isIntIn, isPlainRecordOf, isPlainText, registerQuickCheck } from '../../common/quick-validation';
import type { JsonObject } from '../../common/json';

export const JOB_PAYLOAD_MAX_BYTES = 256 * KIB;
export const DEFAULT_MAX_ATTEMPTS = 3;
export const MAX_JOB_BATCH = 1000;

export class CreateJobDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  targetId: string;

  /** A session of the same target. */
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptionalNotNull()
  @IsUUID('all')
  sessionId?: string;

  /** What the worker should do; workers can claim by type. */
  @ApiProperty({ example: 'backup', minLength: 1, maxLength: 100 })
  @IsText(1, 100)
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
  @ValidateNested({ each: true })
  @Type(() => CreateJobDto)
  jobs: CreateJobDto[];
}

const BATCH_KEYS = new Set(['jobs']);
// sessionId and runAt (which the decorators rewrite) are left to the decorators.
const QUICK_JOB_KEYS = new Set(['targetId', 'type', 'payload', 'priority', 'maxAttempts']);

/** A job the decorators certainly accept, built as the pipe builds it; else null. */
function quickCreateJob(value: unknown): CreateJobDto | null {
  if (!isPlainRecordOf(value, QUICK_JOB_KEYS)) return null;
  const { targetId, type, payload, priority, maxAttempts } = value;
  if (typeof targetId !== 'string' || !isUUID(targetId, 'all') || !isPlainText(type, 1, 100)) return null;
  if (payload !== undefined && jsonObjectProblem(payload, JOB_PAYLOAD_MAX_BYTES) !== null) return null;
  if (priority !== undefined && !isIntIn(priority, -100, 100)) return null;
  if (maxAttempts !== undefined && !isIntIn(maxAttempts, 1, 20)) return null;
  return Object.assign(new CreateJobDto(), value);
}

registerQuickCheck(CreateJobBatchDto, (value) => {
  if (!isPlainRecordOf(value, BATCH_KEYS) || !Array.isArray(value.jobs)) return null;
  const { jobs } = value;
  if (jobs.length < 1 || jobs.length > MAX_JOB_BATCH) return null;
  const built: CreateJobDto[] = [];
  for (const item of jobs) {
    const job = quickCreateJob(item);
    if (!job) return null;
    built.push(job);
  }
  return Object.assign(new CreateJobBatchDto(), { jobs: built });
});
