import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ApiKeyScope } from './api-key-scopes';

/** A row of `shared.api_keys`. The key itself is never stored: its PBKDF2 hash and a 32-bit check tag are. */
@Entity({ name: 'api_keys' })
export class ApiKey {
  /** The public key id inside the key (`tnt_<id>_…`). */
  @PrimaryColumn({ type: 'varchar', length: 32 })
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'text', array: true })
  scopes: ApiKeyScope[];

  /** `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`; never leaves the service layer. */
  @Column({ type: 'text' })
  hash: string;

  /** See checkTag(); null for a key moved from the one-key schema until it is next verified. */
  @Column({ name: 'check_tag', type: 'varchar', length: 8, nullable: true })
  checkTag: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  /** A rotated-out key works until then. */
  @Column({ name: 'grace_until', type: 'timestamptz', nullable: true })
  graceUntil: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
