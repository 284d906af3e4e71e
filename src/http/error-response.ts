import { HttpException, HttpStatus } from '@nestjs/common';
import { DomainError, DomainErrorKind } from '../common/domain-errors';
import { DATABASE_RETRY_AFTER_SECONDS } from '../database/database.errors';
import { COMMIT_UNCONFIRMED_MESSAGE, isCommitUnconfirmed, isDatabaseUnavailable, isMissingRelation, isUnstorableText } from '../database/postgres-errors';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
  requestId?: string;
}

const STATUS_BY_KIND: Record<DomainErrorKind, HttpStatus> = {
  'not-found': HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  invalid: HttpStatus.BAD_REQUEST,
  unprocessable: HttpStatus.UNPROCESSABLE_ENTITY,
  'too-large': HttpStatus.PAYLOAD_TOO_LARGE,
  unauthenticated: HttpStatus.UNAUTHORIZED,
  forbidden: HttpStatus.FORBIDDEN,
  throttled: HttpStatus.TOO_MANY_REQUESTS,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};

const REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function reasonPhrase(status: number): string {
  return REASON[status] ?? 'Error';
}

export interface ErrorContext {
  /** The request's tenant schema no longer exists (checked after a missing relation on a tenant request). */
  tenantSchemaGone?: boolean;
}

/** Maps anything thrown to a status and the API's error body. Unknown errors become a bare 500. */
export function toErrorResponse(error: unknown, context: ErrorContext = {}): { body: ErrorBody; retryAfterSeconds?: number } {
  if (error instanceof DomainError) {
    const statusCode = STATUS_BY_KIND[error.kind];
    return { body: { statusCode, error: reasonPhrase(statusCode), message: error.message }, retryAfterSeconds: error.retryAfterSeconds };
  }
  if (error instanceof HttpException) {
    const statusCode = error.getStatus();
    const response = error.getResponse();
    const message =
      typeof response === 'string'
        ? response
        : ((response as { message?: string | string[] }).message ?? error.message);
    return { body: { statusCode, error: reasonPhrase(statusCode), message } };
  }
  if (isUnstorableText(error)) {
    return { body: { statusCode: 400, error: reasonPhrase(400), message: 'Request contains text that cannot be stored' } };
  }
  if (isDatabaseUnavailable(error)) {
    // A COMMIT without an answer may have saved the change: told only "unavailable", a client would repeat it.
    const message = isCommitUnconfirmed(error) ? COMMIT_UNCONFIRMED_MESSAGE : 'Database unavailable';
    return { body: { statusCode: 503, error: reasonPhrase(503), message }, retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS };
  }
  // The tenant's schema was dropped under the request (the tenant is being deleted). 503, not 404: the request
  // cannot tell a deletion from a schema being replaced, and its retry gets the lasting answer (401 once the
  // deletion has committed). A table missing from a schema that exists is a bug and stays a 500.
  if (context.tenantSchemaGone && isMissingRelation(error)) {
    return { body: { statusCode: 503, error: reasonPhrase(503), message: 'Tenant data is unavailable; retry shortly' }, retryAfterSeconds: 1 };
  }
  return { body: { statusCode: 500, error: reasonPhrase(500), message: 'Internal server error' } };
}
