/**
 * The base of the errors services throw. They carry no HTTP knowledge: `ApiExceptionFilter` maps their kind to
 * a status for the API, and the CLI prints their message and exits non-zero. Each feature declares its own
 * errors beside its code (`targets/targets.errors.ts` …) on top of these kinds.
 */
export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
  /** When set, the client may retry after this many seconds (`Retry-After`). */
  readonly retryAfterSeconds?: number;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export type DomainErrorKind =
  | 'not-found'
  | 'conflict'
  | 'invalid'
  | 'unprocessable'
  | 'too-large'
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
/** Well-formed input that cannot be acted on as it is (an archive whose checksum does not match …). */
export class UnprocessableError extends DomainError {
  readonly kind = 'unprocessable';
}
/** Input past a configured size limit (an import archive over IMPORT_MAX_ARCHIVE_BYTES). */
export class TooLargeError extends DomainError {
  readonly kind = 'too-large';
}
export class UnauthenticatedError extends DomainError {
  readonly kind = 'unauthenticated';
}
export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden';
}
export class ThrottledError extends DomainError {
  readonly kind = 'throttled';
  constructor(
    message: string,
    override readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
export class UnavailableError extends DomainError {
  readonly kind = 'unavailable';
}
