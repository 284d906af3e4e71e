import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { InvalidInputError } from '../../common/domain-errors';
import { decodeCursor, Page, toPage } from '../../common/pagination';
import { requestStorage } from '../../common/request-context';

const BIGINT_MAX = 9_223_372_036_854_775_807n;

export type AuditActor = 'admin-api' | 'cli' | 'system';
export type AuditAction =
  | 'tenant.created'
  | 'tenant.updated'
  | 'tenant.deactivated'
  | 'tenant.reactivated'
  | 'tenant.deleted'
  | 'tenant.restored'
  | 'tenant.purged'
  | 'tenant.imported'
  | 'tenant.adopted'
  | 'key.created'
  | 'key.rotated'
  | 'key.revoked'
  | 'key.regenerated'
  | 'key.throttled';

/** What a change records; `detail` holds names, ids and counts, never a key, hash or salt. */
export interface AuditEntry {
  action: AuditAction;
  tenantId: string | null;
  keyId?: string | null;
  detail?: Record<string, unknown>;
  /** Defaults to `admin-api` inside an HTTP request, else the process's own actor (`cli` in the CLI). */
  actor?: AuditActor;
}

export interface AuditEventRow {
  id: string;
  at: Date;
  actor: AuditActor;
  action: AuditAction;
  tenantId: string | null;
  keyId: string | null;
  requestId: string | null;
  detail: Record<string, unknown>;
}

/** `shared.audit_events`: written by the caller's transaction (the event exists exactly when the change does). */
@Injectable()
export class AuditTrail {
  /** The actor of changes made outside an HTTP request; the CLI sets `cli`. */
  actorOutsideRequests: AuditActor = 'system';

  constructor(private readonly dataSource: DataSource) {}

  async record(manager: EntityManager, entry: AuditEntry): Promise<void> {
    const request = requestStorage.getStore();
    const actor = entry.actor ?? (request ? 'admin-api' : this.actorOutsideRequests);
    await manager.query(
      `INSERT INTO "shared"."audit_events" ("actor", "action", "tenant_id", "key_id", "request_id", "detail")
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [actor, entry.action, entry.tenantId, entry.keyId ?? null, request?.requestId ?? null, JSON.stringify(entry.detail ?? {})],
    );
  }

  /**
   * A tenant's events, newest first by id (served by audit_events_tenant_id_id_idx). The ORDER BY names the
   * table's column: a bare "id" would be the text output column, which sorts "9" before "10".
   */
  async list(tenantId: string, limit: number, cursor?: string): Promise<Page<AuditEventRow>> {
    let before: string | null = null;
    if (cursor) {
      const [id] = decodeCursor(cursor, ['string']) as [string];
      // An id of this bigint column: 19 digits reach past its largest value, which PostgreSQL would refuse.
      if (!/^\d{1,19}$/.test(id) || BigInt(id) > BIGINT_MAX) throw new InvalidInputError('cursor is invalid');
      before = id;
    }
    const rows: AuditEventRow[] = await this.dataSource.query(
      `SELECT "id"::text AS "id", "at", "actor", "action", "tenant_id" AS "tenantId", "key_id" AS "keyId",
              "request_id" AS "requestId", "detail"
       FROM "shared"."audit_events"
       WHERE "tenant_id" = $1 AND ($2::bigint IS NULL OR "id" < $2::bigint)
       ORDER BY "audit_events"."id" DESC LIMIT $3`,
      [tenantId, before, limit + 1],
    );
    return toPage(rows, limit, (row) => row, (row) => [row.id]);
  }
}
