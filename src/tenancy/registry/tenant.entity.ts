import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A row of the tenant registry (`shared.tenants`). The API key is held only as its PBKDF2 hash. */
@Entity({ name: 'tenants' })
export class Tenant {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'varchar', length: 48, unique: true })
  slug: string;

  @Column({ name: 'schema_name', type: 'varchar', length: 63, unique: true })
  schemaName: string;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive: boolean;

  @Column({ name: 'api_key_id', type: 'varchar', length: 32, unique: true })
  apiKeyId: string;

  /** `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>`; never leaves the service layer. */
  @Column({ name: 'api_key_hash', type: 'text', select: true })
  apiKeyHash: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
