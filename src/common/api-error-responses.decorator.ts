import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { headerRef } from './api-response-headers';
import { ErrorDto } from './error.dto';

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 503;

/** One error answer of a route: its status, what it means there, and the `message` of its example body. */
export interface ErrorResponse {
  status: ErrorStatus;
  description?: string;
  message?: string | string[];
}

const DEFAULTS: Record<ErrorStatus, { error: string; description: string; message: string | string[] }> = {
  400: {
    error: 'Bad Request',
    description: 'Invalid input: `message` names every field, parameter or header at fault',
    message: ['name must be longer than or equal to 1 characters'],
  },
  401: { error: 'Unauthorized', description: 'Missing or invalid key', message: 'Invalid API key' },
  403: { error: 'Forbidden', description: 'Tenant is deactivated', message: 'Tenant is deactivated' },
  404: { error: 'Not Found', description: 'Not found', message: 'Not Found' },
  409: { error: 'Conflict', description: 'Conflict with the current state', message: 'Conflict' },
  413: {
    error: 'Payload Too Large',
    description: 'Request body over the body limit (`BODY_LIMIT`, 1 MiB by default)',
    message: 'Request body is too large',
  },
  415: {
    error: 'Unsupported Media Type',
    description: 'The request body is not of a media type the route takes',
    message: 'Unsupported Media Type',
  },
  422: {
    error: 'Unprocessable Entity',
    description: 'Well-formed input that cannot be acted on as it is',
    message: 'Unprocessable Entity',
  },
  429: {
    error: 'Too Many Requests',
    description: 'Too many failed authentication attempts from this client for this key id; retry after `Retry-After` seconds',
    message: 'Too many failed authentication attempts',
  },
  500: {
    error: 'Internal Server Error',
    description: 'An unexpected fault of the server (never an answer to bad input); the detail is only in its log',
    message: 'Internal server error',
  },
  503: {
    error: 'Service Unavailable',
    description: 'The database is unavailable; retry after `Retry-After` seconds',
    message: 'Database unavailable',
  },
};

const EXAMPLE_REQUEST_ID = '6f1c2a1e-8a5b-4a43-9d5e-3c1f0b2d7e11';

/** The default description of an error status, and an error body of that status. */
export function errorExample(status: ErrorStatus, message?: string | string[]) {
  const defaults = DEFAULTS[status];
  return {
    description: defaults.description,
    example: { statusCode: status, error: defaults.error, message: message ?? defaults.message, requestId: EXAMPLE_REQUEST_ID },
  };
}

/**
 * The error answers of a route or controller, each with the error body and an example of that very status
 * (`429` and `503` with `Retry-After`). A status number takes the default description; an object refines it.
 */
export function ApiErrorResponses(...responses: Array<ErrorStatus | ErrorResponse>): ClassDecorator & MethodDecorator {
  return applyDecorators(
    ...responses.map((response) => {
      const { status, description, message } = typeof response === 'number' ? { status: response } : response;
      const defaults = errorExample(status, message);
      return ApiResponse({
        status,
        description: description ?? defaults.description,
        type: ErrorDto,
        example: defaults.example,
        ...(status === 429 || status === 503 ? { headers: { 'Retry-After': headerRef('Retry-After') } } : {}),
      });
    }),
  );
}
