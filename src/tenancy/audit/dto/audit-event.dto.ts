import { ApiProperty } from '@nestjs/swagger';
import { PageDto } from '../../../common/page.dto';
import type { AuditEventRow } from '../audit-trail.service';

const ACTORS = ['admin-api', 'cli', 'system'];
const ACTIONS = [
  'tenant.created',
  'tenant.updated',
  'tenant.deactivated',
  'tenant.reactivated',
  'tenant.deleted',
  'tenant.restored',
  'tenant.purged',
  'tenant.imported',
  'tenant.adopted',
  'key.created',
  'key.rotated',
  'key.revoked',
  'key.regenerated',
  'key.throttled',
];

export class AuditEventDto {
  /** Increasing; opaque to clients. */
  @ApiProperty({ example: '42', pattern: '^\\d+$' }) id: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ enum: ACTORS }) actor: string;
  @ApiProperty({ enum: ACTIONS }) action: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) tenantId: string | null;
  @ApiProperty({ example: '3kTMd9Xq2LbA', pattern: '^[0-9A-Za-z]{12}$', nullable: true, type: String }) keyId: string | null;
  @ApiProperty({ nullable: true, type: String }) requestId: string | null;
  /** What changed (names, ids, counts); never a key, hash or salt. */
  @ApiProperty({ type: 'object', additionalProperties: true }) detail: Record<string, unknown>;
}

export class AuditEventPageDto extends PageDto<AuditEventDto> {
  @ApiProperty({ type: [AuditEventDto] }) declare items: AuditEventDto[];
}

export function toAuditEventDto(row: AuditEventRow): AuditEventDto {
  return { ...row, at: row.at.toISOString() };
}
