import type { QueryRunner } from 'typeorm';
import { isUuid } from '../../common/uuid';
import { TenantNotFoundError } from './registry.errors';
import { Tenant } from './tenant.entity';

/** The tenant row by id (UUID) or slug, locked for the rest of the transaction (changes to a tenant serialize). */
export async function lockTenant(queryRunner: QueryRunner, idOrSlug: string): Promise<Tenant> {
  const where = isUuid(idOrSlug) ? { id: idOrSlug } : { slug: idOrSlug };
  const tenant = await queryRunner.manager.findOne(Tenant, { where, lock: { mode: 'pessimistic_write' } });
  if (!tenant) throw new TenantNotFoundError();
  return tenant;
}
