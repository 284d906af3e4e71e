import { HttpException, HttpStatus } from '@nestjs/common';
import { DomainError, DomainErrorKind, TooManyAttemptsError } from './domain-errors';

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
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

// Connection-level failures (server gone, shutting down, out of connections) are a 503, not a 500.
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P02', '57P03', '53300', '08006', '08001']);

export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { message?: string };
  const code = pgErrorCode(error);
  return (
    (code !== undefined && UNAVAILABLE_CODES.has(code)) ||
    /Connection terminated|connection timeout|Cannot use a pool after calling end/i.test(e?.message ?? '')
  );
}

// Text PostgreSQL cannot store (NUL, invalid encoding) is the client's problem, not a 500.
const INVALID_TEXT_CODES = new Set(['22P05', '22021']);

function pgErrorCode(error: unknown): string | undefined {
  const e = error as { code?: string; driverError?: { code?: string } };
  return e?.code ?? e?.driverError?.code;
}

export function reasonPhrase(status: number): string {
  return REASON[status] ?? 'Error';
}

/** Maps anything thrown to a status and the API.md error body. Unknown errors become a bare 500. */
export function toErrorResponse(error: unknown): { body: ErrorBody; retryAfterSeconds?: number } {
  if (error instanceof DomainError) {
    const statusCode = STATUS_BY_KIND[error.kind];
    const retryAfterSeconds = error instanceof TooManyAttemptsError ? error.retryAfterSeconds : undefined;
    return { body: { statusCode, error: reasonPhrase(statusCode), message: error.message }, retryAfterSeconds };
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
  if (INVALID_TEXT_CODES.has(pgErrorCode(error) ?? '')) {
    return { body: { statusCode: 400, error: reasonPhrase(400), message: 'Request contains text that cannot be stored' } };
  }
  if (isDatabaseUnavailable(error)) {
    return { body: { statusCode: 503, error: reasonPhrase(503), message: 'Database unavailable' }, retryAfterSeconds: 5 };
  }
  return { body: { statusCode: 500, error: reasonPhrase(500), message: 'Internal server error' } };
}
