import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A row of the tenant registry (`shared.tenants`). Its API keys are in `shared.api_keys`. */
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

  /** With `rateLimitBurst`: the tenant's own rate limit; both null = the instance default (TENANT_RATE_LIMIT_RPS). */
  @Column({ name: 'rate_limit_rps', type: 'integer', nullable: true })
  rateLimitRps: number | null;

  @Column({ name: 'rate_limit_burst', type: 'integer', nullable: true })
  rateLimitBurst: number | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  /** Set by a soft delete: the tenant's keys are refused, its data kept until `purgeAfter`. Null when live. */
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt: Date | null;

  /** When the purge may remove a deleted tenant (schema, ledger entry, keys, row). Null when live. */
  @Column({ name: 'purge_after', type: 'timestamptz', nullable: true })
  purgeAfter: Date | null;
}
