import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { TargetNameTakenError, TargetNotFoundError } from './targets.errors';
import { TargetDeletionCheck } from './target-deletion-check';
import type { Page } from '../common/pagination';
import { newestFirstPageOf } from '../common/keyset-page';
import { ListCondition, newestFirstStatement } from '../database/newest-first-statement';
import { postgresError, UNIQUE_VIOLATION } from '../database/postgres-errors';
import { TenantDatabase } from '../tenancy/tenant-database.service';
import type { CreateTargetDto, UpdateTargetDto } from './dto/target.dto';
import { Target } from './target.entity';

export interface ListTargetsOptions {
  limit: number;
  cursor?: string;
  tag?: string;
  kind?: string;
}

@Injectable()
export class TargetsService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly deletionCheck: TargetDeletionCheck,
  ) {}

  async create(input: CreateTargetDto): Promise<Target> {
    const now = new Date();
    const target = Object.assign(new Target(), {
      id: randomUUID(),
      name: input.name,
      kind: input.kind ?? 'generic',
      address: input.address,
      tags: input.tags ?? [],
      metadata: input.metadata ?? {},
      createdAt: now,
      updatedAt: now,
    });
    // The name's unique constraint decides, also between concurrent creates; a taken name inserts nothing.
    // One statement on a pool connection, like the list: no DataSource lease, no query builder per request.
    const on = await this.db.statements(Target);
    const inserted = await on.query(
      `INSERT INTO ${on.table} ("id", "name", "kind", "address", "tags", "metadata", "created_at", "updated_at")
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING "id"`,
      [target.id, target.name, target.kind, target.address, target.tags, JSON.stringify(target.metadata), target.createdAt, target.updatedAt],
    );
    if (inserted.length === 0) throw new TargetNameTakenError(target.name);
    return target;
  }

  async list(options: ListTargetsOptions): Promise<Page<Target>> {
    // By `targets_created_at_id_idx`, or `targets_kind_created_at_id_idx` with a kind.
    const conditions: ListCondition[] = [];
    if (options.kind !== undefined) conditions.push({ sql: '"kind" = ?', values: [options.kind] });
    if (options.tag !== undefined) conditions.push({ sql: '"tags" @> ARRAY[?]::text[]', values: [options.tag] });
    return newestFirstPageOf(newestFirstStatement(await this.db.statements(Target), conditions), options.limit, options.cursor);
  }

  async get(id: string): Promise<Target> {
    const on = await this.db.statements(Target);
    const [target] = await on.query<Target>(`SELECT ${on.columns} FROM ${on.table} WHERE "id" = $1`, [id]);
    if (!target) throw new TargetNotFoundError();
    return target;
  }

  async update(id: string, changes: UpdateTargetDto): Promise<Target> {
    return this.db
      .transaction(async (manager) => {
        const target = await manager.findOne(Target, { where: { id }, lock: { mode: 'for_no_key_update' } });
        if (!target) throw new TargetNotFoundError();
        if (changes.name !== undefined && changes.name !== target.name) {
          if (await manager.existsBy(Target, { name: changes.name })) throw new TargetNameTakenError(changes.name);
        }
        Object.assign(target, definedOnly(changes), { updatedAt: new Date() });
        await manager.update(Target, { id }, target);
        return target;
      })
      .catch((error: unknown) => {
        // A concurrent create or rename that took the name after the check above.
        const { code, constraint } = postgresError(error);
        if (code === UNIQUE_VIOLATION && constraint === 'targets_name_key')
          throw new TargetNameTakenError(changes.name ?? '');
        throw error;
      });
  }

  /**
   * Deletes the target with its sessions, jobs, schedules and logs, unless the deletion check refuses (a job of
   * the target runs). In one transaction: the target row `FOR UPDATE` first, so new jobs and sessions for it (their
   * foreign-key check takes `FOR KEY SHARE` on it) wait, then fail with 404; then the check, which locks what it
   * judges; then the delete.
   */
  async delete(id: string): Promise<void> {
    await this.db.transaction(async (manager) => {
      const target = await manager.findOne(Target, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!target) throw new TargetNotFoundError();
      await this.deletionCheck.beforeDelete(manager, id);
      await manager.delete(Target, { id });
    });
  }
}

function definedOnly<T extends object>(changes: T): Partial<T> {
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) as Partial<T>;
}
