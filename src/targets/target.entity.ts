import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { JsonObject } from '../common/json';

/** A thing work is done against (`<tenant schema>.targets`). */
@Entity({ name: 'targets' })
export class Target {
  @PrimaryColumn('uuid')
  id: string;

  /** Unique within the tenant (constraint `targets_name_key`). */
  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'varchar', length: 50 })
  kind: string;

  @Column({ type: 'varchar', length: 2048 })
  address: string;

  @Column({ type: 'text', array: true })
  tags: string[];

  @Column({ type: 'jsonb' })
  metadata: JsonObject;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
