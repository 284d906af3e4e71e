import { LRUCache } from 'lru-cache';

/**
 * Counts failed authentications per subject (client address, key id) in a fixed window. Checked before
 * PBKDF2 runs, so a flood of bad keys costs the server almost nothing. Memory is bounded by the LRU.
 */
export class AuthThrottle {
  private readonly failures: LRUCache<string, { count: number; resetAt: number }>;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {
    this.failures = new LRUCache({ max: 50_000 });
  }

  /** Seconds until the subject may try again, or 0 when it is not throttled. */
  retryAfterSeconds(subjects: string[], now = Date.now()): number {
    let wait = 0;
    for (const subject of subjects) {
      const entry = this.failures.get(subject);
      if (entry && entry.resetAt > now && entry.count >= this.limit) {
        wait = Math.max(wait, Math.ceil((entry.resetAt - now) / 1000));
      }
    }
    return wait;
  }

  recordFailure(subjects: string[], now = Date.now()): void {
    for (const subject of subjects) {
      const entry = this.failures.get(subject);
      if (!entry || entry.resetAt <= now) this.failures.set(subject, { count: 1, resetAt: now + this.windowMs });
      else entry.count += 1;
    }
  }
}
