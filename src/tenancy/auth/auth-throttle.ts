import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { EnvironmentVariables } from '../../config/environment-variables';
import { AuthFailuresRepository, FailureCount } from './auth-failures.repository';
import { FailureCountBatch } from './failure-count-batch';

/**
 * Failed authentications per subject (`ip:<client>`, `key:<keyId>`, `admin:<client>`) in fixed windows of
 * AUTH_FAILURE_WINDOW_SECONDS, counted in PostgreSQL so that N instances share one count. A subject is over
 * the limit once it has AUTH_FAILURE_LIMIT failures in its window. Failures are written in batches (one statement
 * per AUTH_FAILURE_FLUSH_MS at most, see FailureCountBatch), and each is answered once its batch is written.
 */
@Injectable()
export class AuthThrottle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AuthThrottle.name);
  private purgeTimer?: NodeJS.Timeout;
  private readonly batch: FailureCountBatch;

  constructor(
    private readonly config: EnvironmentVariables,
    private readonly failures: AuthFailuresRepository,
  ) {
    const windowSeconds = config.AUTH_FAILURE_WINDOW_SECONDS;
    this.batch = new FailureCountBatch((subjects) => failures.record(subjects, windowSeconds), config.AUTH_FAILURE_FLUSH_MS);
  }

  onModuleInit(): void {
    this.purgeTimer = setInterval(() => {
      this.failures.purgeExpired().catch((error: Error) => this.logger.warn(`auth failure purge: ${error.message}`));
    }, this.config.AUTH_FAILURE_WINDOW_SECONDS * 1000);
    this.purgeTimer.unref();
  }

  /** Failures still queued are written before the database closes. */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.purgeTimer);
    await this.batch.drain();
  }

  /** The subjects over the limit, with their waits (one indexed read). */
  async over(subjects: string[]): Promise<Map<string, FailureCount>> {
    const counts = await this.failures.read(subjects);
    for (const [subject, count] of counts) if (count.failures < this.config.AUTH_FAILURE_LIMIT) counts.delete(subject);
    return counts;
  }

  /**
   * Counts one failure for each subject. Answers those that have just reached the limit (throttling begun), and
   * those that were already at it before this failure, with their waits: what `over` would have answered.
   */
  async recordFailure(subjects: string[]): Promise<RecordedFailure> {
    const counts = await this.batch.add(subjects);
    const limit = this.config.AUTH_FAILURE_LIMIT;
    const began = [...counts].filter(([, count]) => count.failures === limit).map(([subject]) => subject);
    for (const [subject, count] of counts) if (count.failures <= limit) counts.delete(subject);
    return { began, over: counts };
  }
}

export interface RecordedFailure {
  began: string[];
  over: Map<string, FailureCount>;
}

/** The longest wait among the throttled subjects given, or 0. */
export function retryAfter(over: Map<string, FailureCount>, subjects: string[]): number {
  let wait = 0;
  for (const subject of subjects) wait = Math.max(wait, over.get(subject)?.retryAfterSeconds ?? 0);
  return wait;
}
