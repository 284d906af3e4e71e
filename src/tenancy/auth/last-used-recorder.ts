import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ApiKeysRepository } from './api-keys.repository';

/** A cached, verified key as the recorder sees it: when it was last used, and whether that is yet unwritten. */
export interface UsedKey {
  keyId: string;
  usedAt: number;
  pending: boolean;
}

export const LAST_USED_FLUSH_MS = 60_000;

/**
 * `lastUsedAt` without a write per request: a request only stamps its cached key in memory, and once a minute
 * one UPDATE writes every key used since the last flush (at most one write per key per minute per instance).
 */
@Injectable()
export class LastUsedRecorder implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(LastUsedRecorder.name);
  private pending: UsedKey[] = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly keys: ApiKeysRepository) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), LAST_USED_FLUSH_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** The hot path: a field write, and an array push at most once per key per flush. */
  note(key: UsedKey): void {
    key.usedAt = Date.now();
    if (!key.pending) {
      key.pending = true;
      this.pending.push(key);
    }
  }

  /** Writes what was used since the last flush; a failed write is retried with the next one. */
  async flush(): Promise<void> {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    const latest = new Map<string, number>();
    for (const key of batch) {
      key.pending = false;
      latest.set(key.keyId, Math.max(latest.get(key.keyId) ?? 0, key.usedAt));
    }
    try {
      await this.keys.touchLastUsed([...latest.keys()], [...latest.values()].map((at) => new Date(at)));
    } catch (error) {
      this.logger.warn(`lastUsedAt not written: ${(error as Error).message}`);
      for (const key of batch) {
        if (!key.pending) {
          key.pending = true;
          this.pending.push(key);
        }
      }
    }
  }
}
