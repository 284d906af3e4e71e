import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { decodeCursor, Page, toPage } from '../../common/pagination';
import { InvalidInputError } from '../../common/domain-errors';
import { ApiKey } from './api-key.entity';
import type { ApiKeyScope } from './api-key-scopes';
import { isCanonicalIsoTimestamp } from '../../common/iso-timestamp';

/** A key that may authenticate now, with its tenant: what the verifier reads on a cache miss. */
export interface LiveKeyRow {
  id: string;
  name: string;
  scopes: ApiKeyScope[];
  hash: string;
  checkTag: string | null;
  expiresAt: Date | null;
  /** Milliseconds until it stops working by the database clock (expiry or end of grace); null for never. */
  validForMs: number | null;
  tenantId: string;
  tenantName: string;
  slug: string;
  schemaName: string;
  isActive: boolean;
  /** Soft-deleted (awaiting its purge): the key is refused with 403 until a restore. */
  isDeleted: boolean;
  tenantCreatedAt: Date;
  rateLimitRps: number | null;
  rateLimitBurst: number | null;
}

const KEY_ID = /^[0-9A-Za-z]{1,32}$/;

/** Every statement on `shared.api_keys`. */
@Injectable()
export class ApiKeysRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** By primary key; revoked (past grace) and expired keys are not found, exactly like unknown ones. */
  async findLive(keyId: string): Promise<LiveKeyRow | null> {
    const rows: LiveKeyRow[] = await this.dataSource.query(
      `SELECT k."id", k."name", k."scopes", k."hash", k."check_tag" AS "checkTag", k."expires_at" AS "expiresAt",
              (EXTRACT(EPOCH FROM (LEAST(k."expires_at", k."grace_until") - n."now")) * 1000)::float8 AS "validForMs",
              t."id" AS "tenantId", t."name" AS "tenantName", t."slug", t."schema_name" AS "schemaName",
              t."is_active" AS "isActive", (t."deleted_at" IS NOT NULL) AS "isDeleted", t."created_at" AS "tenantCreatedAt",
              t."rate_limit_rps" AS "rateLimitRps", t."rate_limit_burst" AS "rateLimitBurst"
       FROM "shared"."api_keys" k
       JOIN "shared"."tenants" t ON t."id" = k."tenant_id"
       CROSS JOIN (SELECT now() AS "now") n
       WHERE k."id" = $1
         AND (k."revoked_at" IS NULL OR k."grace_until" > n."now")
         AND (k."expires_at" IS NULL OR k."expires_at" > n."now")`,
      [keyId],
    );
    return rows[0] ?? null;
  }

  /** Fills the check tag of a key moved from the one-key schema, once its secret has been proven. */
  async setCheckTag(keyId: string, tag: string): Promise<void> {
    await this.dataSource.query(`UPDATE "shared"."api_keys" SET "check_tag" = $2 WHERE "id" = $1 AND "check_tag" IS NULL`, [keyId, tag]);
  }

  /** One statement for a batch of keys; never moves `last_used_at` backwards. */
  async touchLastUsed(ids: string[], usedAt: Date[]): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource.query(
      `UPDATE "shared"."api_keys" AS k SET "last_used_at" = u."at"
       FROM (SELECT unnest($1::varchar[]) AS "id", unnest($2::timestamptz[]) AS "at") AS u
       WHERE k."id" = u."id" AND (k."last_used_at" IS NULL OR k."last_used_at" < u."at")`,
      [ids, usedAt.map((at) => at.toISOString())],
    );
  }

  async insert(manager: EntityManager, key: ApiKey): Promise<void> {
    await manager.insert(ApiKey, key);
  }

  async findOfTenant(manager: EntityManager, tenantId: string, keyId: string): Promise<ApiKey | null> {
    if (!KEY_ID.test(keyId)) return null;
    return manager.findOne(ApiKey, { where: { id: keyId, tenantId }, lock: { mode: 'pessimistic_write' } });
  }

  /** Revokes at once (ends any grace period too); returns the keys it changed. */
  async revoke(manager: EntityManager, tenantId: string, keyId?: string): Promise<ApiKey[]> {
    // TypeORM answers an UPDATE as [rows, count].
    const [rows]: [Array<{ id: string }>, number] = await manager.query(
      `UPDATE "shared"."api_keys" AS k SET "revoked_at" = n."now", "grace_until" = NULL
       FROM (SELECT now() AS "now") n
       WHERE k."tenant_id" = $1 AND ($2::varchar IS NULL OR k."id" = $2)
         AND (k."revoked_at" IS NULL OR k."grace_until" > n."now")
       RETURNING k."id"`,
      [tenantId, keyId ?? null],
    );
    if (rows.length === 0) return [];
    return manager.find(ApiKey, { where: rows.map(({ id }) => ({ id })) });
  }

  /** Marks a key rotated out: it stays valid until `graceUntil`. */
  async rotateOut(manager: EntityManager, keyId: string, graceSeconds: number): Promise<void> {
    await manager.query(
      `UPDATE "shared"."api_keys" AS k SET "revoked_at" = n."now", "grace_until" = n."now" + make_interval(secs => $2)
       FROM (SELECT now() AS "now") n WHERE k."id" = $1`,
      [keyId, graceSeconds],
    );
  }

  /** Newest first by (created_at, id); served by api_keys_tenant_created_at_id_idx. */
  async list(tenantId: string, limit: number, cursor: string | undefined, includeRevoked: boolean): Promise<Page<ApiKey>> {
    const query = this.dataSource
      .getRepository(ApiKey)
      .createQueryBuilder('k')
      .where('k.tenant_id = :tenantId', { tenantId });
    if (!includeRevoked) query.andWhere('(k.revoked_at IS NULL OR k.grace_until > now())');
    if (cursor) {
      const [createdAt, id] = decodeCursor(cursor, ['string', 'string']) as [string, string];
      // Only what this code writes: a key id and an ISO timestamp of year 0001-9999 (Date.parse took '2030' or year 0).
      if (!KEY_ID.test(id) || !isCanonicalIsoTimestamp(createdAt)) throw new InvalidInputError('cursor is invalid');
      query.andWhere('(k.created_at, k.id) < (:createdAt, :id)', { createdAt, id });
    }
    const rows = await query.orderBy('k.created_at', 'DESC').addOrderBy('k.id', 'DESC').limit(limit + 1).getMany();
    return toPage(rows, limit, (row) => row, (row) => [row.createdAt.toISOString(), row.id]);
  }
}
