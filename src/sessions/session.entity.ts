import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { JsonObject } from '../common/json';

/** What is stored; `expired` is derived from `expiresAt` when read (see `effectiveStatus`). */
export type StoredSessionStatus = 'active' | 'closed';
export type SessionStatus = StoredSessionStatus | 'expired';
export const SESSION_STATUSES: SessionStatus[] = ['active', 'closed', 'expired'];

/** A period of work against one target (`<tenant schema>.sessions`). */
@Entity({ name: 'sessions' })
export class Session {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'target_id', type: 'uuid' })
  targetId: string;

  @Column({ type: 'varchar', length: 16 })
  status: StoredSessionStatus;

  @Column({ type: 'jsonb' })
  metadata: JsonObject;

  /** Null: the session does not expire by itself. */
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

export function effectiveStatus(session: Session, now: Date): SessionStatus {
  if (session.status === 'active' && session.expiresAt !== null && session.expiresAt <= now) return 'expired';
  return session.status;
}
