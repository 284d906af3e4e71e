import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsObject, ValidateBy, ValidateNested } from 'class-validator';
import { applyDecorators } from '@nestjs/common';
import { PageDto, PageQueryDto } from '../../common/page.dto';
import { IsName, IsOptionalNotNull, IsText } from '../../common/validation';
import type { JsonObject } from '../../common/json';
import { CreateJobDto } from '../../jobs/dto/create-job.dto';
import { canonicalZoneCase, cronProblem, timeZoneProblem } from '../cron-schedule';
import { scheduledJob, type Schedule } from '../schedule.entity';

export const DEFAULT_TIMEZONE = 'UTC';
const CRON_EXAMPLE = '0 9 * * 1-5';
const CRON_RULE =
  'Exactly five fields: minute (0-59), hour (0-23), day of month (1-31), month (1-12), day of week (0-7, 0 and 7 ' +
  'Sunday), with `*`, lists, ranges, steps, names, `L`, `#`; values and ranges stay within the field, and a step ' +
  'is at most 59, 23, 30, 11 and 6 in turn and reaches a second value of its range (not `5/59`). Read in `timezone`.';
// Spaces between the fields collapsed, so what is stored and shown is one canonical spelling.
const collapseSpaces = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().split(/\s+/).join(' ') : value);

function IsCron(): PropertyDecorator {
  return applyDecorators(
    Transform(collapseSpaces),
    IsText(1, 200),
    ValidateBy({
      name: 'isCron',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || cronProblem(value) === null,
        defaultMessage: (args) => `$property ${cronProblem(String(args?.value))}`,
      },
    }),
  );
}

function IsTimeZoneName(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) => canonicalZoneCase(value)),
    IsText(1, 64),
    ValidateBy({
      name: 'isTimeZoneName',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || timeZoneProblem(value) === null,
        defaultMessage: (args) => `$property ${timeZoneProblem(String(args?.value))}`,
      },
    }),
  );
}

/** The job each occurrence queues: the fields of `POST /jobs` without `runAt` (an occurrence is due at its time). */
export class ScheduleJobDto extends PickType(CreateJobDto, ['targetId', 'sessionId', 'type', 'payload', 'priority', 'maxAttempts'] as const) {}

export class CreateScheduleDto {
  @ApiProperty({ example: 'nightly backup', minLength: 1, maxLength: 200 })
  @IsName(1, 200)
  name: string;

  @ApiProperty({ example: CRON_EXAMPLE, minLength: 1, maxLength: 200, description: CRON_RULE })
  @IsCron()
  cron: string;

  @ApiPropertyOptional({ example: 'Europe/Paris', default: DEFAULT_TIMEZONE, minLength: 1, maxLength: 64, description: 'An IANA time zone name.' })
  @IsOptionalNotNull()
  @IsTimeZoneName()
  timezone?: string;

  @ApiProperty({ type: ScheduleJobDto })
  @IsObject()
  @ValidateNested()
  @Type(() => ScheduleJobDto)
  job: ScheduleJobDto;

  /** A disabled schedule queues nothing and has no `nextRunAt`. */
  @ApiPropertyOptional({ default: true })
  @IsOptionalNotNull()
  @IsBoolean()
  enabled?: boolean;
}

/** Every field optional; `job` is replaced as a whole. A new `cron`, `timezone` or `enabled` recomputes `nextRunAt` from now. */
export class UpdateScheduleDto {
  @ApiPropertyOptional({ example: 'nightly backup', minLength: 1, maxLength: 200 })
  @IsOptionalNotNull()
  @IsName(1, 200)
  name?: string;

  @ApiPropertyOptional({ example: CRON_EXAMPLE, minLength: 1, maxLength: 200, description: CRON_RULE })
  @IsOptionalNotNull()
  @IsCron()
  cron?: string;

  @ApiPropertyOptional({ example: 'Europe/Paris', minLength: 1, maxLength: 64, description: 'An IANA time zone name.' })
  @IsOptionalNotNull()
  @IsTimeZoneName()
  timezone?: string;

  @ApiPropertyOptional({ type: ScheduleJobDto })
  @IsOptionalNotNull()
  @IsObject()
  @ValidateNested()
  @Type(() => ScheduleJobDto)
  job?: ScheduleJobDto;

  @ApiPropertyOptional()
  @IsOptionalNotNull()
  @IsBoolean()
  enabled?: boolean;
}

export class ListSchedulesQueryDto extends PageQueryDto {}

export class ScheduleJobViewDto {
  @ApiProperty({ format: 'uuid' }) targetId: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) sessionId: string | null;
  @ApiProperty({ example: 'backup' }) type: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { path: '/etc' } }) payload: JsonObject;
  @ApiProperty({ type: 'integer', example: 0 }) priority: number;
  @ApiProperty({ type: 'integer', example: 3 }) maxAttempts: number;
}

export class ScheduleDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'nightly backup' }) name: string;
  @ApiProperty({ example: CRON_EXAMPLE }) cron: string;
  @ApiProperty({ example: 'Europe/Paris' }) timezone: string;
  @ApiProperty({ type: ScheduleJobViewDto }) job: ScheduleJobViewDto;
  @ApiProperty() enabled: boolean;
  /** The next occurrence to be queued; `null` while disabled. */
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) nextRunAt: string | null;
  /** The occurrence of the latest job queued, `null` before the first. */
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastRunAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class SchedulePageDto extends PageDto<ScheduleDto> {
  @ApiProperty({ type: [ScheduleDto] }) declare items: ScheduleDto[];
}

export function toScheduleDto(schedule: Schedule): ScheduleDto {
  return {
    id: schedule.id,
    name: schedule.name,
    cron: schedule.cron,
    timezone: schedule.timezone,
    job: scheduledJob(schedule),
    enabled: schedule.enabled,
    nextRunAt: schedule.nextRunAt?.toISOString() ?? null,
    lastRunAt: schedule.lastRunAt?.toISOString() ?? null,
    createdAt: schedule.createdAt.toISOString(),
    updatedAt: schedule.updatedAt.toISOString(),
  };
}
