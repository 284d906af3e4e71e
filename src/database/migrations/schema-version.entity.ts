import { Column, Entity, PrimaryColumn } from 'typeorm';

export type SchemaKind = 'tenant' | 'spare';
export type SchemaState = 'ready' | 'failed';

/** The migration ledger (`shared.schema_versions`): where every tenant or spare schema stands. */
@Entity({ name: 'schema_versions' })
export class SchemaVersion {
  @PrimaryColumn({ name: 'schema_name', type: 'varchar', length: 63 })
  schemaName: string;

  @Column({ type: 'varchar', length: 10 })
  kind: SchemaKind;

  /** Name of the last applied tenant migration, null before the first. */
  @Column({ type: 'varchar', length: 255, nullable: true })
  version: string | null;

  @Column({ type: 'varchar', length: 16 })
  state: SchemaState;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ name: 'last_duration_ms', type: 'integer', nullable: true })
  lastDurationMs: number | null;

  @Column({ name: 'migrated_at', type: 'timestamptz', nullable: true })
  migratedAt: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
