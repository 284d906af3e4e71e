import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SessionNotFoundError } from './sessions.errors';
import { TargetNotFoundError } from '../targets/targets.errors';
import type { Page } from '../common/pagination';
import { newestFirstPageOf } from '../common/keyset-page';
import { ListCondition, newestFirstStatement } from '../database/newest-first-statement';
import { FOREIGN_KEY_VIOLATION, postgresError } from '../database/postgres-errors';
import { tableOf } from '../database/table-sql';
import { TenantDatabase } from '../tenancy/tenant-database.service';
import { Session, SessionStatus } from './session.entity';
import type { JsonObject } from '../common/json';

export interface CreateSessionInput {
  targetId: string;
  metadata?: JsonObject;
  ttlSeconds?: number;
}

export interface ListSessionsOptions {
  limit: number;
  cursor?: string;
  targetId?: string;
  status?: SessionStatus;
}

/**
 * Sessions expire by time alone: nothing rewrites them, `expired` is derived on read. Creation, the status
 * filter and the status shown all use this process's clock, so a session never reads as `active` in one
 * and `expired` in the other.
 */
@Injectable()
export class SessionsService {
  constructor(private readonly db: TenantDatabase) {}

  async create(input: CreateSessionInput): Promise<Session> {
    const now = new Date();
    const session = Object.assign(new Session(), {
      id: randomUUID(),
      targetId: input.targetId,
      status: 'active',
      metadata: input.metadata ?? {},
      expiresAt: input.ttlSeconds === undefined ? null : new Date(now.getTime() + input.ttlSeconds * 1000),
      closedAt: null,
      createdAt: now,
      updatedAt: now,
    } satisfies Partial<Session>);
    const manager = (await this.db.dataSource()).manager;
    // A plain VALUES insert: the foreign key reports a missing target, also one deleted meanwhile (Citus
    // mis-deparses `INSERT … SELECT $n … WHERE EXISTS` for single-shard tables, so no guard query).
    try {
      await manager.query(
        `INSERT INTO ${tableOf(manager, Session)} ("id", "target_id", "status", "metadata", "expires_at", "closed_at", "created_at", "updated_at")
         VALUES ($1::uuid, $2::uuid, 'active', $3::jsonb, $4::timestamptz, NULL, $5::timestamptz, $5::timestamptz)`,
        [session.id, session.targetId, JSON.stringify(session.metadata), session.expiresAt, now],
      );
    } catch (error) {
      if (postgresError(error).code === FOREIGN_KEY_VIOLATION) throw new TargetNotFoundError();
      throw error;
    }
    return session;
  }

  async list(options: ListSessionsOptions): Promise<Page<Session>> {
    const conditions: ListCondition[] = [];
    if (options.targetId !== undefined) conditions.push({ sql: '"target_id" = ?::uuid', values: [options.targetId] });
    const now = new Date();
    if (options.status === 'closed') conditions.push({ sql: `"status" = 'closed'` });
    if (options.status === 'active') {
      conditions.push({ sql: `"status" = 'active' AND ("expires_at" IS NULL OR "expires_at" > ?::timestamptz)`, values: [now] });
    }
    if (options.status === 'expired') conditions.push({ sql: `"status" = 'active' AND "expires_at" <= ?::timestamptz`, values: [now] });
    return newestFirstPageOf(newestFirstStatement(await this.db.statements(Session), conditions), options.limit, options.cursor);
  }

  async get(id: string): Promise<Session> {
    const session = await (await this.db.repository(Session)).findOneBy({ id });
    if (!session) throw new SessionNotFoundError();
    return session;
  }

  async updateMetadata(id: string, metadata: JsonObject): Promise<Session> {
    return this.db.transaction(async (manager) => {
      const session = await this.lock(manager, id);
      Object.assign(session, { metadata, updatedAt: new Date() });
      await manager.update(Session, { id }, { metadata, updatedAt: session.updatedAt });
      return session;
    });
  }

  /** Closes an active or expired session; closing a closed one changes nothing. */
  async close(id: string): Promise<Session> {
    return this.db.transaction(async (manager) => {
      const session = await this.lock(manager, id);
      if (session.status === 'closed') return session;
      const now = new Date();
      Object.assign(session, { status: 'closed', closedAt: now, updatedAt: now });
      await manager.update(Session, { id }, { status: 'closed', closedAt: now, updatedAt: now });
      return session;
    });
  }

  private async lock(manager: EntityManager, id: string): Promise<Session> {
    const session = await manager.findOne(Session, { where: { id }, lock: { mode: 'for_no_key_update' } });
    if (!session) throw new SessionNotFoundError();
    return session;
  }
}
