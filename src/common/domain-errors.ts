/**
 * Errors the services throw. They carry no HTTP knowledge: `DomainExceptionFilter` maps them for the API
 * and the CLI prints their message and exits non-zero.
 */
export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export type DomainErrorKind =
  | 'not-found'
  | 'conflict'
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'throttled'
  | 'unavailable';

export class NotFoundError extends DomainError {
  readonly kind = 'not-found';
}
export class ConflictError extends DomainError {
  readonly kind = 'conflict';
}
export class InvalidInputError extends DomainError {
  readonly kind = 'invalid';
}
export class UnavailableError extends DomainError {
  readonly kind = 'unavailable';
}

export class TenantNotFoundError extends NotFoundError {
  constructor() {
    super('Tenant not found');
  }
}
export class SlugTakenError extends ConflictError {
  constructor(slug: string) {
    super(`A tenant with slug "${slug}" already exists`);
  }
}
export class InvalidApiKeyError extends DomainError {
  readonly kind = 'unauthenticated';
  constructor(message = 'Invalid API key') {
    super(message);
  }
}
export class TenantDeactivatedError extends DomainError {
  readonly kind = 'forbidden';
  constructor() {
    super('Tenant is deactivated');
  }
}
export class TooManyAttemptsError extends DomainError {
  readonly kind = 'throttled';
  constructor(readonly retryAfterSeconds: number) {
    super('Too many failed authentication attempts');
  }
}
export class SchemaBehindError extends UnavailableError {
  constructor() {
    super('This tenant is being upgraded; retry shortly');
  }
}

export class TargetNotFoundError extends NotFoundError {
  constructor() {
    super('Target not found');
  }
}
export class TargetNameTakenError extends ConflictError {
  constructor(name: string) {
    super(`A target named "${name}" already exists`);
  }
}
export class TargetHasRunningJobsError extends ConflictError {
  constructor() {
    super('The target has running jobs; cancel them or wait for them to finish');
  }
}
export class SessionNotFoundError extends NotFoundError {
  constructor(message = 'Session not found') {
    super(message);
  }
}
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
