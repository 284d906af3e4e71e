import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Failures of one subject in its current window. */
export interface FailureCount {
  failures: number;
  /** Seconds until the window ends (at least 1). */
  retryAfterSeconds: number;
}

/**
 * Failed-authentication counters that every instance shares (`shared.auth_failures`, one row per subject
 * such as `ip:<address>` or `key:<keyId>`, fixed windows). Only the failure and cache-miss paths touch it.
 */
@Injectable()
export class AuthFailuresRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The subjects' counts in their current windows (by primary key); subjects without one are absent. */
  async read(subjects: string[]): Promise<Map<string, FailureCount>> {
    const rows: Array<{ subject: string; failures: number; wait: number }> = await this.dataSource.query(
      `SELECT f."subject", f."failures", ceil(EXTRACT(EPOCH FROM (f."window_ends_at" - n."now")))::int AS "wait"
       FROM "shared"."auth_failures" f CROSS JOIN (SELECT now() AS "now") n
       WHERE f."subject" = ANY($1::varchar[]) AND f."window_ends_at" > n."now"`,
      [subjects],
    );
    return new Map(rows.map((row) => [row.subject, { failures: row.failures, retryAfterSeconds: Math.max(1, row.wait) }]));
  }

  /**
   * Adds one failure per occurrence of each subject (a subject may come several times: a batch of failures),
   * atomically (one upsert, so concurrent instances never lose a count), and answers each subject's count after
   * it, with the seconds left in its window. A window that has ended starts again at this statement's failures.
   * The rows are inserted in subject order, so concurrent statements lock them in one order. The update reads the
   * time from EXCLUDED, never now(): PostgreSQL with Citus refuses non-immutable functions in ON CONFLICT DO UPDATE SET.
   */
  async record(subjects: string[], windowSeconds: number): Promise<Map<string, FailureCount>> {
    const rows: Array<{ subject: string; failures: number; wait: number }> = await this.dataSource.query(
      `INSERT INTO "shared"."auth_failures" AS f ("subject", "failures", "window_ends_at", "last_failed_at")
       SELECT s, count(*)::int, now() + make_interval(secs => $2), now() FROM unnest($1::varchar[]) AS s
       GROUP BY s ORDER BY s
       ON CONFLICT ("subject") DO UPDATE SET
         "failures" = CASE WHEN f."window_ends_at" <= EXCLUDED."last_failed_at" THEN EXCLUDED."failures" ELSE f."failures" + EXCLUDED."failures" END,
         "window_ends_at" = CASE WHEN f."window_ends_at" <= EXCLUDED."last_failed_at" THEN EXCLUDED."window_ends_at" ELSE f."window_ends_at" END,
         "last_failed_at" = EXCLUDED."last_failed_at"
       RETURNING f."subject", f."failures", ceil(EXTRACT(EPOCH FROM (f."window_ends_at" - f."last_failed_at")))::int AS "wait"`,
      [subjects, windowSeconds],
    );
    return new Map(rows.map((row) => [row.subject, { failures: row.failures, retryAfterSeconds: Math.max(1, row.wait) }]));
  }

  /** Drops counters whose window has ended (any instance may run it; the table stays as small as the attack). */
  async purgeExpired(): Promise<void> {
    await this.dataSource.query(`DELETE FROM "shared"."auth_failures" WHERE "window_ends_at" < now()`);
  }
}
