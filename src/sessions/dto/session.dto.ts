import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { PageDto, PageQueryDto } from '../../common/page.dto';
import { IsJsonObject, IsOptionalNotNull, IsUuid, KIB } from '../../common/validation';
import { effectiveStatus, Session, SESSION_STATUSES, SessionStatus } from '../session.entity';
import type { JsonObject } from '../../common/json';

export const SESSION_METADATA_MAX_BYTES = 16 * KIB;
export const SESSION_TTL_MAX_SECONDS = 604_800;

export class CreateSessionDto {
  @ApiProperty({ format: 'uuid' })
  @IsUuid()
  targetId: string;

  /** Any JSON object, at most 16 KiB serialized. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { operator: 'alice' }, default: {} })
  @IsOptionalNotNull()
  @IsJsonObject(SESSION_METADATA_MAX_BYTES)
  metadata?: JsonObject;

  /** Seconds until the session expires; without it the session stays active until closed. */
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: SESSION_TTL_MAX_SECONDS, example: 3600 })
  @IsOptionalNotNull()
  @IsInt()
  @Min(1)
  @Max(SESSION_TTL_MAX_SECONDS)
  ttlSeconds?: number;
}

export class UpdateSessionDto {
  /** Replaces the session's metadata. */
  @ApiProperty({ type: 'object', additionalProperties: true, example: { operator: 'bob' } })
  @IsJsonObject(SESSION_METADATA_MAX_BYTES)
  metadata: JsonObject;
}

export class ListSessionsQueryDto extends PageQueryDto {
  /** Only sessions of this target. */
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUuid()
  targetId?: string;

  /** `expired` = active with `expiresAt` passed; `active` excludes those. */
  @ApiPropertyOptional({ enum: SESSION_STATUSES })
  @IsOptional()
  @Type(() => String)
  @IsIn(SESSION_STATUSES)
  status?: SessionStatus;
}

export class SessionDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) targetId: string;
  @ApiProperty({ enum: SESSION_STATUSES, example: 'active' }) status: SessionStatus;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { operator: 'alice' } }) metadata: JsonObject;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) closedAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class SessionPageDto extends PageDto<SessionDto> {
  @ApiProperty({ type: [SessionDto] }) declare items: SessionDto[];
}

export function toSessionDto(session: Session, now = new Date()): SessionDto {
  return {
    id: session.id,
    targetId: session.targetId,
    status: effectiveStatus(session, now),
    metadata: session.metadata,
    expiresAt: session.expiresAt?.toISOString() ?? null,
    closedAt: session.closedAt?.toISOString() ?? null,
    createdAt: session.createdAt.toISOString(),
    updatedAt: session.updatedAt.toISOString(),
  };
}
