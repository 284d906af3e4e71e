import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsOptional,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageDto } from '../../common/page.dto';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../common/pagination';
import { ISO_TIMESTAMP_RULE } from '../../common/iso-timestamp';
import { IsIsoTimestamp, IsJsonObject, IsObjectItems, IsOptionalNotNull, IsQueryInt, IsText, KIB } from '../../common/validation';
import { JOB_LOG_LEVELS, JobLog, JobLogLevel } from '../job-log.entity';
import type { JsonObject } from '../../common/json';

export const MAX_LOG_BATCH = 1000;
export const LOG_DATA_MAX_BYTES = 16 * KIB;
const MAX_SEQ = 2_147_483_647;

export class JobLogEntryDto {
  @ApiProperty({ enum: JOB_LOG_LEVELS, example: 'info' })
  @IsIn(JOB_LOG_LEVELS)
  level: JobLogLevel;

  @ApiProperty({ example: 'copied 12 files', minLength: 1, maxLength: 10_000 })
  @IsText(1, 10_000)
  message: string;

  /** Any JSON object, at most 16 KiB serialized. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { files: 12 } })
  @IsOptionalNotNull()
  @IsJsonObject(LOG_DATA_MAX_BYTES)
  data?: JsonObject;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: `When it happened (default: when the server writes it). ${ISO_TIMESTAMP_RULE}`,
  })
  @IsOptionalNotNull()
  @IsIsoTimestamp()
  timestamp?: string;
}

export class AppendJobLogsDto {
  /** Written all together or not at all. */
  @ApiProperty({ type: [JobLogEntryDto], minItems: 1, maxItems: MAX_LOG_BATCH })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_LOG_BATCH)
  @IsObjectItems()
  @ValidateNested({ each: true })
  @Type(() => JobLogEntryDto)
  entries: JobLogEntryDto[];
}

export class AppendedJobLogsDto {
  @ApiProperty({ type: 'integer', example: 2 }) count: number;
}

export class ListJobLogsQueryDto {
  /** Only entries with a greater `seq` (decimal digits; default 0): the value of a previous `nextCursor`, or the last `seq` you have. Not with `cursor`. */
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: MAX_SEQ })
  @IsOptional()
  @IsQueryInt({ message: 'after must be an integer from 0 to 2147483647' })
  @Min(0)
  @Max(MAX_SEQ)
  after?: number;

  /** The value of a previous page's `nextCursor`: the same as `after`, for clients that page every list by `cursor`. Not with `after`. */
  @ApiPropertyOptional({ type: 'string', pattern: '^[0-9]{1,10}$' })
  @IsOptional()
  @IsQueryInt({ message: 'cursor is invalid' })
  @Min(0)
  @Max(MAX_SEQ)
  cursor?: number;

  /** Page size, 1–100 (decimal digits). */
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @IsQueryInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ enum: JOB_LOG_LEVELS })
  @IsOptional()
  @Type(() => String)
  @IsIn(JOB_LOG_LEVELS)
  level?: JobLogLevel;
}

export class StreamJobLogsQueryDto {
  /** Only entries with a greater `seq` (decimal digits; default 0). A `Last-Event-ID` header, sent by a reconnecting `EventSource`, wins over it. */
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: MAX_SEQ })
  @IsOptional()
  @IsQueryInt({ message: 'after must be an integer from 0 to 2147483647' })
  @Min(0)
  @Max(MAX_SEQ)
  after?: number;
}

/** The seq in a `Last-Event-ID` header; undefined when absent or empty, null when it is not a seq. */
export function parseLastEventId(header: string | undefined): number | undefined | null {
  if (header === undefined || header.trim() === '') return undefined;
  const value = header.trim();
  return /^\d{1,10}$/.test(value) && Number(value) <= MAX_SEQ ? Number(value) : null;
}

export class JobLogDto {
  /** Position in the job's log, from 1, in the order entries were written. */
  @ApiProperty({ type: 'integer', minimum: 1, example: 1 }) seq: number;
  @ApiProperty({ enum: JOB_LOG_LEVELS, example: 'info' }) level: JobLogLevel;
  @ApiProperty({ example: 'claimed by worker-7 (attempt 1 of 3)' }) message: string;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, example: { event: 'claimed' } })
  data: JsonObject | null;
  @ApiProperty({ format: 'date-time' }) timestamp: string;
}

export class JobLogPageDto extends PageDto<JobLogDto> {
  @ApiProperty({ type: [JobLogDto] }) declare items: JobLogDto[];
  /** The last `seq` of this page when more entries follow, to pass as `after` or `cursor`; `null` when there is nothing more right now. */
  @ApiProperty({ type: String, nullable: true, pattern: '^[0-9]+$', example: '50' }) declare nextCursor: string | null;
}

export function toJobLogDto(log: JobLog): JobLogDto {
  return {
    seq: log.seq,
    level: log.level,
    message: log.message,
    data: log.data,
    timestamp: log.timestamp.toISOString(),
  };
}
