import { ConflictError, InvalidInputError, NotFoundError, ThrottledError, UnavailableError } from '../common/domain-errors';

export class JobNotFoundError extends NotFoundError {
  constructor() {
    super('Job not found');
  }
}
export class JobFinishedError extends ConflictError {
  constructor(status: string) {
    super(`Job is already ${status}`);
  }
}
/** Heartbeat, complete or fail from a worker that does not hold a live lease on a running job. */
export class LeaseNotHeldError extends ConflictError {
  constructor() {
    super('This worker does not hold the lease of a running job');
  }
}
export class IdempotencyKeyReusedError extends ConflictError {
  constructor() {
    super('Idempotency-Key was already used with a different request body');
  }
}
export class JobNotRetryableError extends ConflictError {
  constructor(status: string) {
    super(`Job is ${status}; only failed or cancelled jobs can be retried`);
  }
}
/** A batch item whose target, or session of that target, does not exist; named by its index. */
export class BatchParentNotFoundError extends NotFoundError {
  constructor(index: number, missing: 'target' | 'session') {
    super(
      missing === 'target'
        ? `jobs.${index}.targetId: Target not found`
        : `jobs.${index}.sessionId: Session not found for this target`,
    );
  }
}
/** The tenant already has JOB_LOG_STREAMS_PER_TENANT_MAX log streams open on this instance. */
export class TenantLogStreamLimitError extends ThrottledError {
  constructor(max: number) {
    super(`This tenant already has ${max} log streams open; close one or poll GET /jobs/{id}/logs`, 5);
  }
}
/** This instance already serves JOB_LOG_STREAMS_MAX log streams: another instance may take the stream. */
export class LogStreamCapacityError extends UnavailableError {
  override readonly retryAfterSeconds = 5;
  constructor() {
    super('This server has no room for another log stream; retry shortly');
  }
}
/** A `Last-Event-ID` header that is not a seq. */
export class BadLastEventIdError extends InvalidInputError {
  constructor() {
    super('Last-Event-ID must be an integer from 0 to 2147483647 (the seq of the last entry received)');
  }
}
