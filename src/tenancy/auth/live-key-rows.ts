import { LRUCache } from 'lru-cache';
import type { LiveKeyRow } from './api-keys.repository';

interface Held {
  row: LiveKeyRow;
  /** performance.now() at which the key stops working (expiry, end of grace); Infinity for never. */
  endsAt: number;
}

/**
 * Live key rows by public key id, as read on a cache miss, held for at most the auth cache TTL (and never past the
 * key's expiry or grace). A presented key whose secret fails the held row's check tag is refused with no read of
 * its row: a flood of wrong secrets on one key id costs one counter write each, not a lookup and a write.
 * Dropped with the verified keys on every change of the tenant (revocation, rotation, deactivation, deletion).
 */
export class LiveKeyRows {
  private readonly rows: LRUCache<string, Held>;

  constructor(max: number, private readonly ttlMs: number) {
    this.rows = new LRUCache({ max, ttl: ttlMs });
  }

  /** The row, if held and the key still works, with `validForMs` counted from now. */
  get(keyId: string): LiveKeyRow | undefined {
    const held = this.rows.get(keyId);
    if (!held) return undefined;
    const left = held.endsAt - performance.now();
    if (left <= 0) {
      this.rows.delete(keyId);
      return undefined;
    }
    return { ...held.row, validForMs: held.endsAt === Infinity ? null : left };
  }

  /** @param readAt performance.now() when the row was read (its validForMs is measured from then) */
  set(row: LiveKeyRow, readAt: number): void {
    const endsAt = row.validForMs === null ? Infinity : readAt + row.validForMs;
    const ttl = Math.min(this.ttlMs, Math.floor(endsAt - performance.now()));
    if (ttl >= 1) this.rows.set(row.id, { row, endsAt }, { ttl });
  }

  dropTenant(tenantId: string): void {
    for (const [keyId, held] of this.rows.entries()) {
      if (held.row.tenantId === tenantId) this.rows.delete(keyId);
    }
  }

  clear(): void {
    this.rows.clear();
  }
}
