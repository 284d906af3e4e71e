import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsOptional } from 'class-validator';
import { PageDto, PageQueryDto } from '../../common/page.dto';
import { IsText, IsUuid } from '../../common/validation';
import { Job, JOB_STATUSES, JobStatus } from '../job.entity';
import type { JsonObject } from '../../common/json';

export class ListJobsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: JOB_STATUSES })
  @IsOptional()
  @Type(() => String)
  @IsIn(JOB_STATUSES)
  status?: JobStatus;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUuid()
  targetId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUuid()
  sessionId?: string;

  /** Only jobs of this type. */
  @ApiPropertyOptional({ minLength: 1, maxLength: 100 })
  @IsOptional()
  @IsText(1, 100)
  type?: string;
}

export class JobProgressDto {
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100, example: 40 }) percent: number;
  @ApiPropertyOptional({ maxLength: 500, example: 'copied 4 of 10 files' }) message?: string;
}

export class JobDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) targetId: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) sessionId: string | null;
  @ApiProperty({ example: 'backup' }) type: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { path: '/etc' } }) payload: JsonObject;
  @ApiProperty({ enum: JOB_STATUSES, example: 'queued' }) status: JobStatus;
  @ApiProperty({ type: 'integer', example: 0 }) priority: number;
  /** Claims so far, this one included while running. */
  @ApiProperty({ type: 'integer', example: 0 }) attempts: number;
  @ApiProperty({ type: 'integer', example: 3 }) maxAttempts: number;
  @ApiProperty({ format: 'date-time' }) runAt: string;
  /** The worker of the latest attempt. */
  @ApiProperty({ type: String, nullable: true, example: 'worker-7' }) workerId: string | null;
  /** Set while `running`. Once passed, the attempt is abandoned: its worker gets 409, and the next claim requeues or fails the job. */
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) leaseExpiresAt: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, example: { files: 12 } })
  result: JsonObject | null;
  /** The error of the latest failed attempt. */
  @ApiProperty({ type: String, nullable: true, example: null }) error: string | null;
  /** The latest heartbeat's progress of the current (or last) attempt. */
  @ApiProperty({
    type: 'object',
    nullable: true,
    properties: {
      percent: { type: 'integer', minimum: 0, maximum: 100, example: 40 },
      message: { type: 'string', maxLength: 500, example: 'copied 4 of 10 files' },
    },
    required: ['percent'],
  })
  progress: JobProgressDto | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
  /** Start of the latest attempt. */
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt: string | null;
}

export class JobPageDto extends PageDto<JobDto> {
  @ApiProperty({ type: [JobDto] }) declare items: JobDto[];
}

/** Jobs of a batch request, in its order. */
export class JobListDto {
  @ApiProperty({ type: [JobDto] }) items: JobDto[];
}

const iso = (date: Date | null) => date?.toISOString() ?? null;

export function toJobDto(job: Job): JobDto {
  return {
    id: job.id,
    targetId: job.targetId,
    sessionId: job.sessionId,
    type: job.type,
    payload: job.payload,
    status: job.status,
    priority: job.priority,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    runAt: job.runAt.toISOString(),
    workerId: job.workerId,
    leaseExpiresAt: iso(job.leaseExpiresAt),
    result: job.result,
    error: job.error,
    progress: job.progress,
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
    startedAt: iso(job.startedAt),
    finishedAt: iso(job.finishedAt),
  };
}
