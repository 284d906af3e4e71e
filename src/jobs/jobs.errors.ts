import { ConflictError, NotFoundError } from '../common/domain-errors';

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
